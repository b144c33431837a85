/** What `POST /token` and `DELETE /token` do, once the pipeline has checked the request. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type KeyProvider, mintAccessToken } from './cartesia-client';
import { grantFlags, type ServiceConfig } from './config';
import { jsonResponse, noContentResponse } from './responses';
import { expiredTokenCookie, tokenCookie } from './token-cookie';
import type { TokenRequest } from './token-request';

/** Mints a token with exactly the requested grants and hands it over in the cookie. */
export async function mintToken(
  config: ServiceConfig,
  request: TokenRequest,
  getKey: KeyProvider,
): Promise<APIGatewayProxyResult> {
  // Counted from before the call: the token expires no earlier than the client is told.
  const expiresAt = new Date(Date.now() + request.expiresIn * 1000).toISOString();
  const token = await mintAccessToken(
    {
      baseUrl: config.cartesiaBaseUrl,
      version: config.cartesiaVersion,
      attemptTimeoutMs: config.upstreamAttemptTimeoutMs,
      deadlineMs: config.upstreamDeadlineMs,
      maxAttempts: config.upstreamMaxAttempts,
    },
    getKey,
    request.grants,
    request.expiresIn,
  );
  const body = {
    grants: grantFlags(request.grants),
    expires_in: request.expiresIn,
    expires_at: expiresAt,
    ...(config.tokenInBody ? { token } : {}),
  };
  return jsonResponse(200, body, { 'Set-Cookie': tokenCookie(config.cookieName, token, request.expiresIn) });
}

/** Signs the browser out of Cartesia: the cookie is expired. */
export function revokeToken(config: ServiceConfig): APIGatewayProxyResult {
  return noContentResponse({ 'Set-Cookie': expiredTokenCookie(config.cookieName) });
}
