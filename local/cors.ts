/**
 * CORS for what the local API answers itself (preflights, 401s, 404s), as the stack's
 * gateway responses do: the exact allowed origin, credentials allowed, never a wildcard.
 * Without these headers a browser reports a 401 as a CORS failure.
 */
const ALLOWED_METHODS = 'POST,DELETE,OPTIONS';
const ALLOWED_HEADERS = 'Authorization,Content-Type';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
}

/** Preflight answer: the grant for allowed origins, nothing for others (the browser then refuses). */
export function preflightHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const headers = corsHeaders(origin, allowedOrigins);
  if (!headers['Access-Control-Allow-Origin']) return headers;
  return {
    ...headers,
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
  };
}
