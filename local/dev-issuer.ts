/**
 * The development identity provider of the local API: a key pair made at start-up, its
 * JWKS, and ID tokens shaped like Cognito's. For local use only: anyone who can reach the
 * local API can sign in as anyone, with any groups.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import type { IdTokenVerifier } from './identity';

const ALGORITHM = 'RS256';
/** Cognito's default ID token lifetime. */
const ID_TOKEN_LIFETIME_SECONDS = 3600;

export interface DevUser {
  readonly username: string;
  readonly groups: readonly string[];
}

export interface IssueOptions {
  /** Issue time in seconds since the epoch (default: now); a time in the past makes expired tokens. */
  readonly issuedAt?: number;
  readonly lifetimeSeconds?: number;
  /** Cognito also issues access tokens, which the authorizer must refuse where an ID token is due. @default 'id' */
  readonly tokenUse?: 'id' | 'access';
}

export interface DevIssuer extends IdTokenVerifier {
  readonly mode: 'development';
  /** The `iss` claim of every token it signs. */
  readonly issuer: string;
  /** The `aud` claim: the app client id Cognito would put there. */
  readonly audience: string;
  /** Public keys, as Cognito serves them at `/.well-known/jwks.json`. */
  readonly jwks: JSONWebKeySet;
  issue(user: DevUser, options?: IssueOptions): Promise<string>;
}

/** Cognito subjects are UUIDs; derive one from the user name so a user keeps theirs across sign-ins. */
function subjectOf(username: string): string {
  const hex = createHash('sha256').update(`local-dev-user:${username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function createDevIssuer(options: { issuer: string; audience: string }): Promise<DevIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM);
  const kid = createHash('sha256')
    .update(JSON.stringify(await exportJWK(publicKey)))
    .digest('base64url')
    .slice(0, 16);
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' }] };
  const keySet = createLocalJWKSet(jwks);

  return {
    mode: 'development',
    description: `development issuer ${options.issuer} (local only: anyone can sign in as anyone)`,
    issuer: options.issuer,
    audience: options.audience,
    jwks,

    issue: async (
      { username, groups },
      { issuedAt, lifetimeSeconds = ID_TOKEN_LIFETIME_SECONDS, tokenUse = 'id' } = {},
    ) => {
      const iat = issuedAt ?? Math.floor(Date.now() / 1000);
      return new SignJWT({
        token_use: tokenUse,
        'cognito:username': username,
        // Cognito leaves the claim out for users in no group.
        ...(groups.length ? { 'cognito:groups': [...groups] } : {}),
        auth_time: iat,
      })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(subjectOf(username))
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetimeSeconds)
        .sign(privateKey);
    },

    verify: async (token) => {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      // An access token from the same issuer must not pass for an ID token.
      if (payload.token_use !== 'id') throw Object.assign(new Error('not an ID token'), { name: 'NotAnIdToken' });
      return payload;
    },
  };
}
