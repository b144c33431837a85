/**
 * The cookie that carries the token: `HttpOnly` (no page script reads it), `Secure` (never
 * over plain HTTP), `SameSite=Strict` (never sent from another site), `Path=/` and no
 * `Domain` (what the `__Host-` prefix demands), and a `Max-Age` equal to the token's lifetime.
 */
import { serialize } from 'cookie';

const HARDENED = { httpOnly: true, secure: true, sameSite: 'strict', path: '/' } as const;

export function tokenCookie(name: string, token: string, maxAgeSeconds: number): string {
  return serialize(name, token, { ...HARDENED, maxAge: maxAgeSeconds });
}

/** The same cookie, expired: browsers drop it at once. */
export function expiredTokenCookie(name: string): string {
  return serialize(name, '', { ...HARDENED, maxAge: 0 });
}
