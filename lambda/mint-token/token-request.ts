/**
 * The body of `POST /token`. The same schema validates in the function and, converted to
 * JSON Schema, in API Gateway's request validator.
 */
import * as z from 'zod/mini';
import { GRANTS, type Grant } from './config';
import { ApiError } from './errors';

export function tokenRequestSchema(maxExpiresIn: number) {
  const grant = z.optional(z.boolean());
  return z.strictObject({
    grants: z
      .strictObject({ tts: grant, stt: grant, agent: grant })
      .check(z.refine((grants) => Object.values(grants).some(Boolean), 'ask for at least one grant set to true')),
    expires_in: z.optional(z.int().check(z.minimum(1), z.maximum(maxExpiresIn))),
  });
}

/** JSON Schema (draft 4, as API Gateway models want it) of the request body. */
export function tokenRequestJsonSchema(maxExpiresIn: number): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(tokenRequestSchema(maxExpiresIn), { target: 'draft-4' });
  return schema;
}

export interface TokenRequest {
  /** Requested grants, only those set to true, in a fixed order. */
  readonly grants: Grant[];
  readonly expiresIn: number;
}

const MAX_MESSAGE_LENGTH = 300;

/** A validator for parsed JSON bodies; a bad one is a 400 that names the first problem. */
export function tokenRequestParser(limits: { defaultExpiresIn: number; maxExpiresIn: number }) {
  const schema = tokenRequestSchema(limits.maxExpiresIn);
  return (body: unknown): TokenRequest => {
    const result = schema.safeParse(body);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      throw new ApiError(400, 'invalid_request', `${where}${issue.message}`.slice(0, MAX_MESSAGE_LENGTH));
    }
    const { grants, expires_in } = result.data;
    return {
      grants: GRANTS.filter((grant) => grants[grant] === true),
      expiresIn: expires_in ?? limits.defaultExpiresIn,
    };
  };
}
