/** The token service's own middy middlewares; each does one thing. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ServiceConfig } from './config';
import { ApiError, toApiError } from './errors';
import { allowedGrants, firstForbiddenGrant, parseGroups } from './grant-policy';
import { errorResponse } from './responses';
import { type TokenRequest, tokenRequestParser } from './token-request';

export type TokenEvent = Omit<APIGatewayProxyEvent, 'body'> & { body: unknown };
type TokenRequestState = Request<TokenEvent, APIGatewayProxyResult, Error, Context>;
type TokenMiddleware = MiddlewareObj<TokenEvent, APIGatewayProxyResult, Error, Context>;

/** The claims API Gateway's Cognito authorizer hands over, all as strings. */
export function claimsOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Record<string, unknown> {
  return (event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined) ?? {};
}

/**
 * The caller's `sub`. API Gateway's authorizer guarantees one; an event without it (a method
 * left without the authorizer, an adapter that forgot the claims) is refused, never served anonymously.
 */
export function requireCaller(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string {
  const { sub } = claimsOf(event);
  if (typeof sub !== 'string' || sub.trim() === '') {
    throw new ApiError(401, 'unauthorized', 'Sign in first: the request carries no signed-in user.');
  }
  return sub;
}

/** JSON media types, case-insensitive as RFC 9110 says: `application/json`, `application/*+json`, with parameters. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Refuses bodies that are not declared as JSON (415) before anything parses them. */
export function requireJsonMediaType(): TokenMiddleware {
  return {
    before: ({ event }) => {
      const contentType = event.headers?.['content-type'];
      if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) {
        throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
      }
    },
  };
}

/** Refuses bodies larger than the limit before anything parses them. */
export function bodySizeLimit(maxBytes: number): TokenMiddleware {
  return {
    before: ({ event }) => {
      const { body } = event;
      if (typeof body !== 'string') return;
      const bytes = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body);
      if (bytes > maxBytes) {
        throw new ApiError(413, 'payload_too_large', `The request body must be at most ${maxBytes} bytes.`);
      }
    },
  };
}

/**
 * Checks the parsed body against the schema and the caller's grants against the policy,
 * then leaves the {@link TokenRequest} in `event.body`. A forbidden grant is a 403 that names it.
 */
export function tokenRequestValidator(config: ServiceConfig): TokenMiddleware {
  const parse = tokenRequestParser(config);
  return {
    before: (request) => {
      const tokenRequest = parse(request.event.body);
      const groups = parseGroups(claimsOf(request.event)['cognito:groups']);
      const forbidden = firstForbiddenGrant(tokenRequest.grants, allowedGrants(groups, config.grantPolicy));
      if (forbidden) {
        throw new ApiError(403, 'forbidden_grant', `You may not receive the "${forbidden}" grant.`);
      }
      request.event.body = tokenRequest;
    },
  };
}

/** Turns any error into the contract's error response; only 5xx causes reach the log. */
export function errorResponder(logger: Logger): TokenMiddleware {
  return {
    onError: (request) => {
      const error = toApiError(request.error);
      if (error.statusCode >= 500) {
        // Name and message only: AWS and network errors say what failed, never the key or token.
        const cause = (error.cause ?? request.error) as Error | undefined;
        logger.error('request failed', { code: error.code, cause: { name: cause?.name, message: cause?.message } });
      }
      request.response = errorResponse(error);
    },
  };
}

const isTokenRequest = (body: unknown): body is TokenRequest =>
  typeof body === 'object' && body !== null && Array.isArray((body as TokenRequest).grants);

const startTimes = new WeakMap<object, number>();

/** One audit line per request: who, what, how it ended, how long it took. Nothing secret. */
export function auditLog(logger: Logger): TokenMiddleware {
  const write = (request: TokenRequestState) => {
    const { event, response, context } = request;
    const started = startTimes.get(request) ?? performance.now();
    const status = response?.statusCode ?? 500;
    const body = isTokenRequest(event.body) ? event.body : undefined;
    const sub = claimsOf(event).sub;
    logger.info('audit', {
      audit: {
        action: event.httpMethod === 'DELETE' ? 'revoke' : 'mint',
        sub: typeof sub === 'string' ? sub : undefined,
        grants: body?.grants,
        expires_in: body?.expiresIn,
        status,
        outcome: status < 400 ? 'success' : toApiError(request.error).code,
        latency_ms: Math.round((performance.now() - started) * 10) / 10,
        request_id: context.awsRequestId,
        api_request_id: event.requestContext?.requestId,
      },
    });
  };
  return {
    before: (request) => {
      startTimes.set(request, performance.now());
    },
    after: write,
    onError: write,
  };
}
