/**
 * The contract's errors: every failure becomes `{"error": {"code", "message"}}` with a
 * status from the HTTP contract, and nothing from inside (stack, upstream body, secret).
 */

export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden_grant'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'throttled'
  | 'internal_error'
  | 'upstream_error'
  | 'not_configured'
  | 'unavailable'
  | 'upstream_timeout';

/** A failure the client is meant to see, exactly as described. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export const errorBody = (code: ErrorCode, message: string): ErrorBody => ({ error: { code, message } });

const SECRET_NOT_FOUND = new Set(['ResourceNotFoundException']);

/**
 * middy and the AWS SDK throw their own errors; this says what each means for the client.
 * Unknown errors become a 500 whose message says nothing about the cause.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const err = error as { name?: string; statusCode?: number; message?: string; cause?: unknown };

  // @middy/util wraps failed secret fetches: "Failed to resolve internal values", cause.data = [errors].
  const inner = (err.cause as { data?: unknown[] } | undefined)?.data;
  const secretError = Array.isArray(inner) ? (inner[0] as { name?: string }) : undefined;
  if (secretError) {
    // The AWS error is the cause the operator needs in the log (AccessDenied, Throttling, …), not middy's wrapper.
    return SECRET_NOT_FOUND.has(secretError.name ?? '')
      ? new ApiError(503, 'not_configured', 'The token service is not configured yet.', {}, { cause: secretError })
      : new ApiError(
          503,
          'unavailable',
          'The token service cannot reach its key right now. Try again shortly.',
          { 'Retry-After': '5' },
          { cause: secretError },
        );
  }

  if (err.statusCode === 415) {
    // @middy/http-json-body-parser answers 415 for a body it cannot parse (the media type is checked before it).
    return new ApiError(400, 'invalid_request', 'The request body is not valid JSON.');
  }

  return new ApiError(500, 'internal_error', 'Something went wrong. Try again later.', {}, { cause: error });
}
