/**
 * The errors API Gateway answers itself, before or instead of the function, in the contract's
 * shape. The stack turns them into gateway responses; the local API answers with the same ones.
 */
import type { ErrorCode } from './errors';

export interface GatewayError {
  /** API Gateway's response type. */
  readonly type: string;
  /** Status to answer with; absent: the gateway's own status for the type. */
  readonly statusCode?: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const GATEWAY_ERRORS: readonly GatewayError[] = [
  {
    type: 'UNAUTHORIZED',
    statusCode: 401,
    code: 'unauthorized',
    message: 'Sign in: a valid Cognito ID token is required in Authorization.',
  },
  // Raised by the Cognito authorizer only for scope mismatches; to a caller it means the same as 401.
  { type: 'ACCESS_DENIED', statusCode: 401, code: 'unauthorized', message: 'This ID token may not call this API.' },
  // What API Gateway answers for a route that does not exist.
  {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    code: 'not_found',
    message: 'No such route. Use POST or DELETE on /token.',
  },
  {
    type: 'BAD_REQUEST_BODY',
    statusCode: 400,
    code: 'invalid_request',
    message: 'The body must be {"grants": {"tts"|"stt"|"agent": true}, "expires_in"?: seconds}.',
  },
  { type: 'REQUEST_TOO_LARGE', statusCode: 413, code: 'payload_too_large', message: 'The request body is too large.' },
  {
    type: 'UNSUPPORTED_MEDIA_TYPE',
    statusCode: 415,
    code: 'unsupported_media_type',
    message: 'Send the body as application/json.',
  },
  {
    type: 'THROTTLED',
    statusCode: 429,
    code: 'throttled',
    message: 'Too many requests. Retry later.',
    headers: { 'Retry-After': '1' },
  },
  {
    type: 'INTEGRATION_TIMEOUT',
    statusCode: 504,
    code: 'upstream_timeout',
    message: 'The token service did not answer in time. Try again.',
  },
  { type: 'DEFAULT_4XX', code: 'invalid_request', message: 'The request was rejected.' },
  {
    type: 'DEFAULT_5XX',
    statusCode: 503,
    code: 'unavailable',
    message: 'The token service is unavailable. Try again later.',
    headers: { 'Retry-After': '5' },
  },
];

/** The gateway error of a type (the local API answers with these). */
export function gatewayError(type: string): GatewayError {
  const found = GATEWAY_ERRORS.find((error) => error.type === type);
  if (!found) throw new Error(`no gateway error of type ${type}`);
  return found;
}
