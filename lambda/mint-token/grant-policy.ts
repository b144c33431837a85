/** Which grants a signed-in user may receive, from the Cognito groups in their ID token. */
import { ANY_SIGNED_IN_USER, GRANTS, type Grant } from './config';

/**
 * Reads `cognito:groups` in every shape API Gateway has been seen to hand over:
 * an array, `"a"`, `"a,b"`, `"[a b]"` and a JSON array string.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string' && group !== '');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parseGroups(parsed);
    } catch {
      // Not JSON: API Gateway's "[a b]" rendering, handled below.
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** The grants a member of these groups may receive under the policy. */
export function allowedGrants(groups: readonly string[], policy: Record<Grant, readonly string[]>): Set<Grant> {
  const member = new Set(groups);
  return new Set(
    GRANTS.filter((grant) => policy[grant].some((group) => group === ANY_SIGNED_IN_USER || member.has(group))),
  );
}

/** The first requested grant the user may not have, if any: such a request is refused, never narrowed. */
export function firstForbiddenGrant(requested: readonly Grant[], allowed: ReadonlySet<Grant>): Grant | undefined {
  return requested.find((grant) => !allowed.has(grant));
}
