/**
 * Who is calling: the local API's stand-in for API Gateway's Cognito user pool authorizer.
 * Either the embedded development issuer or a real Cognito user pool checks the ID token.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';

export interface IdTokenVerifier {
  readonly mode: 'development' | 'cognito';
  /** One line for the start-up banner. */
  readonly description: string;
  /** The token's claims when it is a valid, unexpired ID token from the expected issuer; throws otherwise. */
  verify(token: string): Promise<Record<string, unknown>>;
}

/** Verifies ID tokens of a real Cognito user pool (its JWKS is fetched from Cognito on first use). */
export function cognitoIdTokenVerifier(userPoolId: string, clientId: string): IdTokenVerifier {
  const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: 'id' });
  return {
    mode: 'cognito',
    description: `Cognito user pool ${userPoolId}, app client ${clientId}`,
    verify: async (token) => (await verifier.verify(token)) as unknown as Record<string, unknown>,
  };
}

/** The ID token in an Authorization header, raw or after `Bearer ` (as the contract allows). */
export function idTokenFromHeader(header: string | undefined): string | undefined {
  const token = header
    ?.trim()
    .replace(/^Bearer\s+/i, '')
    .trim();
  return token || undefined;
}
