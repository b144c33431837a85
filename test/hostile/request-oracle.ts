/**
 * An independent reading of the HTTP contract (design §3): which error statuses a request has
 * earned. Written from the contract, not from the service's schema, so that the property tests
 * check the service against the contract rather than against itself. An empty set means the
 * request is valid; the hostile generators keep only requests with at least one defect.
 */

/** A request as a client sends it, before any transport shapes it. */
export interface ClientRequest {
  readonly method: string;
  /** In order; a name may repeat (duplicated headers). */
  readonly headers: readonly (readonly [string, string])[];
  /** Text, or base64 text when `isBase64Encoded`. */
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
  /** What the Cognito authorizer hands over (strings), or null when there is no signed-in user. */
  readonly claims: Readonly<Record<string, string>> | null;
}

export interface ContractLimits {
  readonly maxBodyBytes: number;
  readonly maxExpiresIn: number;
}

/** Media types the contract calls JSON, and ones it does not; generators pick only from these. */
export const JSON_MEDIA_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'Application/JSON',
  'APPLICATION/JSON; charset=utf-8',
  'application/vnd.api+json',
];
export const NON_JSON_MEDIA_TYPES = [
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/jsonp',
  'application/json-seq',
  'application/x-json',
  'json',
  '',
];

/** `cognito:groups` claims that make the caller a member of `cartesia-agent`. */
export const AGENT_GROUP_CLAIMS = [
  'cartesia-agent',
  'staff,cartesia-agent',
  '[staff cartesia-agent]',
  '["cartesia-agent"]',
];
export const AGENT_GROUP = 'cartesia-agent';

const GRANT_NAMES = new Set(['tts', 'stt', 'agent']);
const BODY_FIELDS = new Set(['grants', 'expires_in']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The last value wins, as API Gateway's single-value `headers` has it. */
export function headerValue(request: ClientRequest, name: string): string | undefined {
  const values = request.headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
  return values.at(-1);
}

export function bodyBytes(request: ClientRequest): Buffer {
  if (request.body === null) return Buffer.alloc(0);
  return request.isBase64Encoded ? Buffer.from(request.body, 'base64') : Buffer.from(request.body, 'utf8');
}

/** The body as the contract reads it, or `invalid` when it is not one JSON document. */
function parsedBody(request: ClientRequest): { value: unknown } | 'invalid' {
  try {
    return { value: JSON.parse(bodyBytes(request).toString('utf8')) };
  } catch {
    return 'invalid';
  }
}

function isValidTokenRequest(body: unknown, maxExpiresIn: number): boolean {
  if (!isPlainObject(body) || !Object.keys(body).every((key) => BODY_FIELDS.has(key))) return false;
  const { grants, expires_in } = body;
  if (!isPlainObject(grants)) return false;
  const entries = Object.entries(grants);
  if (!entries.every(([name, value]) => GRANT_NAMES.has(name) && typeof value === 'boolean')) return false;
  if (!entries.some(([, value]) => value === true)) return false;
  if (!Object.hasOwn(body, 'expires_in')) return true;
  return Number.isInteger(expires_in) && (expires_in as number) >= 1 && (expires_in as number) <= maxExpiresIn;
}

function mayHaveAgent(claims: Readonly<Record<string, string>>): boolean {
  const groups = claims['cognito:groups'];
  if (groups === undefined) return false;
  if (AGENT_GROUP_CLAIMS.includes(groups)) return true;
  if (groups.includes(AGENT_GROUP)) {
    throw new Error(`generator bug: ambiguous cognito:groups claim ${JSON.stringify(groups)}`);
  }
  return false;
}

/** Every error status the contract allows for this request; empty when the request is valid. */
export function contractErrors(request: ClientRequest, limits: ContractLimits): Set<number> {
  const errors = new Set<number>();
  if (request.method !== 'POST' && request.method !== 'DELETE') errors.add(405);
  const sub = request.claims?.sub;
  if (typeof sub !== 'string' || sub.trim() === '') errors.add(401);
  if (request.method !== 'POST') return errors;

  if (bodyBytes(request).length > limits.maxBodyBytes) errors.add(413);
  const mediaType = headerValue(request, 'content-type');
  if (mediaType === undefined || NON_JSON_MEDIA_TYPES.includes(mediaType)) errors.add(415);
  else if (!JSON_MEDIA_TYPES.includes(mediaType))
    throw new Error(`generator bug: unclassified media type ${mediaType}`);

  const parsed = parsedBody(request);
  if (parsed === 'invalid' || !isValidTokenRequest(parsed.value, limits.maxExpiresIn)) {
    errors.add(400);
  } else {
    const grants = (parsed.value as { grants: Record<string, boolean> }).grants;
    if (grants.agent === true && request.claims && !mayHaveAgent(request.claims)) errors.add(403);
  }
  return errors;
}

/** The error code the contract pairs with each status. */
export const ERROR_CODES: Record<number, readonly string[]> = {
  400: ['invalid_request'],
  401: ['unauthorized'],
  403: ['forbidden_grant'],
  405: ['method_not_allowed'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
};
