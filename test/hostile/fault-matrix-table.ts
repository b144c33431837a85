/**
 * The fault matrix: what goes wrong at Cartesia or Secrets Manager, and what the client gets.
 * One table, read by test/hostile/fault-matrix.test.ts (which runs every row) and by
 * scripts/generate-fault-matrix.ts (which writes docs/fault-matrix.md), so the documentation
 * is exactly what the tests prove.
 */
import type { Fault } from '../../cartesia-simulator/simulator';
import type { ServiceConfigInput } from '../../lambda/mint-token/config';

/** The configuration every row runs with: short, so the slow rows stay fast. */
export const FAULT_MATRIX_CONFIG = {
  upstreamAttemptTimeoutMs: 300,
  upstreamDeadlineMs: 1_200,
  upstreamMaxAttempts: 3,
  secretCacheSeconds: 300,
} as const satisfies Partial<ServiceConfigInput>;

/** Slack on top of the deadline for scheduling on a busy 2-core CI machine. */
export const DEADLINE_MARGIN_MS = 400;

/** Stands in for upstream error bodies; it must never reach the client or the logs. */
export const UPSTREAM_BODY_MARKER = 'upstream-diagnostic-body-5e1c7a';
const upstreamError = (status: number, headers?: Record<string, string>): Fault => ({
  kind: 'status',
  status,
  headers,
  body: JSON.stringify({ error: UPSTREAM_BODY_MARKER, request_id: UPSTREAM_BODY_MARKER }),
});
const times = (count: number, fault: Fault) => Array.from({ length: count }, () => fault);

/** What the secret holds, or how reading it fails. `KEY` stands for the current API key. */
export type SecretState =
  | { readonly kind: 'value'; readonly secretString: string }
  /** First read: the key before a rotation; later reads: the current key. */
  | { readonly kind: 'rotated' }
  | { readonly kind: 'error'; readonly name: string; readonly message: string };

export const KEY = '«key»';

export interface FaultRow {
  readonly fault: string;
  readonly secret: SecretState;
  /** Replies the Cartesia stand-in gives, in order; after them it answers normally. */
  readonly upstream: readonly Fault[];
  /** Cartesia accepts none of our keys (it revoked them). */
  readonly keyRevoked?: boolean;
  readonly expect: {
    readonly status: number;
    readonly code?: string;
    readonly retryAfter?: string;
    /** Calls to Cartesia: exact, or a range where jittered backoff decides if one more fits the deadline. */
    readonly upstreamCalls: number | readonly [number, number];
    readonly secretReads: number;
    /** What the operator's log says (5xx only). */
    readonly log?: string;
  };
}

/** Every attempt times out: whether a third fits the deadline depends on the jittered backoff. */
const TIMED_OUT: FaultRow['expect'] = {
  status: 504,
  code: 'upstream_timeout',
  upstreamCalls: [2, 3],
  secretReads: 1,
  log: 'upstream_timeout',
};
const KEY_SECRET: SecretState = { kind: 'value', secretString: KEY };
const secretError = (name: string, message: string): SecretState => ({ kind: 'error', name, message });
const PUT_KEY_HINT = 'Put the Cartesia API key into the secret';

export const FAULT_MATRIX: readonly FaultRow[] = [
  {
    fault: 'nothing wrong (baseline)',
    secret: KEY_SECRET,
    upstream: [],
    expect: { status: 200, upstreamCalls: 1, secretReads: 1 },
  },
  {
    fault: 'upstream timeout: Cartesia accepts and never answers',
    secret: KEY_SECRET,
    upstream: times(4, { kind: 'hang' }),
    expect: TIMED_OUT,
  },
  {
    fault: 'slow headers, past the attempt timeout',
    secret: KEY_SECRET,
    upstream: times(4, { kind: 'slow-headers', delayMs: 1_000 }),
    expect: TIMED_OUT,
  },
  {
    fault: 'slow headers, within the attempt timeout',
    secret: KEY_SECRET,
    upstream: [{ kind: 'slow-headers', delayMs: 100 }],
    expect: { status: 200, upstreamCalls: 1, secretReads: 1 },
  },
  {
    fault: 'slow body: headers at once, body past the attempt timeout',
    secret: KEY_SECRET,
    upstream: times(4, { kind: 'slow-body', delayMs: 1_000 }),
    expect: TIMED_OUT,
  },
  {
    fault: 'connection reset on every attempt',
    secret: KEY_SECRET,
    upstream: times(3, { kind: 'reset' }),
    expect: { status: 502, code: 'upstream_error', upstreamCalls: 3, secretReads: 1, log: 'upstream_error' },
  },
  {
    fault: 'connection reset once',
    secret: KEY_SECRET,
    upstream: [{ kind: 'reset' }],
    expect: { status: 200, upstreamCalls: 2, secretReads: 1 },
  },
  ...[500, 502, 503].map(
    (status): FaultRow => ({
      fault: `HTTP ${status} on every attempt`,
      secret: KEY_SECRET,
      upstream: times(3, upstreamError(status)),
      expect: { status: 502, code: 'upstream_error', upstreamCalls: 3, secretReads: 1, log: 'upstream_error' },
    }),
  ),
  {
    fault: 'HTTP 503 once',
    secret: KEY_SECRET,
    upstream: [upstreamError(503)],
    expect: { status: 200, upstreamCalls: 2, secretReads: 1 },
  },
  {
    fault: 'HTTP 429 without Retry-After on every attempt',
    secret: KEY_SECRET,
    upstream: times(3, upstreamError(429)),
    expect: { status: 429, code: 'throttled', retryAfter: '1', upstreamCalls: 3, secretReads: 1 },
  },
  {
    fault: 'HTTP 429 with a Retry-After longer than the deadline',
    secret: KEY_SECRET,
    upstream: times(3, upstreamError(429, { 'Retry-After': '5' })),
    expect: { status: 429, code: 'throttled', retryAfter: '5', upstreamCalls: 1, secretReads: 1 },
  },
  {
    fault: 'HTTP 429 with Retry-After: 0, once',
    secret: KEY_SECRET,
    upstream: [upstreamError(429, { 'Retry-After': '0' })],
    expect: { status: 200, upstreamCalls: 2, secretReads: 1 },
  },
  {
    fault: 'HTTP 400 (Cartesia refuses the request)',
    secret: KEY_SECRET,
    upstream: [upstreamError(400)],
    expect: { status: 502, code: 'upstream_error', upstreamCalls: 1, secretReads: 1, log: 'upstream_error' },
  },
  {
    fault: '401, then success after the key refresh (key rotated)',
    secret: { kind: 'rotated' },
    upstream: [],
    expect: { status: 200, upstreamCalls: 2, secretReads: 2 },
  },
  {
    fault: '403 once, then success after the key refresh',
    secret: KEY_SECRET,
    upstream: [upstreamError(403)],
    expect: { status: 200, upstreamCalls: 2, secretReads: 2 },
  },
  {
    fault: '401 twice (key revoked at Cartesia)',
    secret: KEY_SECRET,
    upstream: [],
    keyRevoked: true,
    expect: { status: 502, code: 'upstream_error', upstreamCalls: 2, secretReads: 2, log: 'upstream_error' },
  },
  ...(
    [
      ['200 with malformed JSON', '{"token": "sim_tok_'],
      ['200 without `token`', '{"access_token":"x"}'],
      ['200 with a non-string token', '{"token": 12345}'],
      ['200 with an empty token', '{"token": ""}'],
      ['200 with an HTML page', `<html>${UPSTREAM_BODY_MARKER}</html>`],
    ] as const
  ).map(
    ([what, body]): FaultRow => ({
      fault: what,
      secret: KEY_SECRET,
      upstream: [{ kind: 'body', body }],
      expect: { status: 502, code: 'upstream_error', upstreamCalls: 1, secretReads: 1, log: 'upstream_error' },
    }),
  ),
  {
    fault: 'Secrets Manager throttling',
    secret: secretError('ThrottlingException', 'Rate exceeded'),
    upstream: [],
    expect: {
      status: 503,
      code: 'unavailable',
      retryAfter: '5',
      upstreamCalls: 0,
      secretReads: 1,
      log: 'ThrottlingException',
    },
  },
  {
    fault: 'secret not found',
    secret: secretError('ResourceNotFoundException', 'Secrets Manager can’t find the specified secret.'),
    upstream: [],
    expect: { status: 503, code: 'not_configured', upstreamCalls: 0, secretReads: 1, log: 'ResourceNotFoundException' },
  },
  {
    fault: 'access to the secret denied',
    secret: secretError('AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue'),
    upstream: [],
    expect: {
      status: 503,
      code: 'unavailable',
      retryAfter: '5',
      upstreamCalls: 0,
      secretReads: 1,
      log: 'AccessDeniedException',
    },
  },
  {
    fault: 'secret cannot be decrypted (KMS)',
    secret: secretError('DecryptionFailure', 'Secrets Manager can’t decrypt the protected secret text.'),
    upstream: [],
    expect: {
      status: 503,
      code: 'unavailable',
      retryAfter: '5',
      upstreamCalls: 0,
      secretReads: 1,
      log: 'DecryptionFailure',
    },
  },
  ...(
    [
      ['empty secret', ''],
      ['placeholder secret', 'REPLACE_WITH_CARTESIA_API_KEY'],
      ['placeholder JSON secret', '{"apiKey":"sk_car_..."}'],
      ['malformed-JSON secret', `{"apiKey":"${KEY}"`],
      ['JSON secret without `apiKey`', `{"key":"${KEY}"}`],
    ] as const
  ).map(
    ([fault, secretString]): FaultRow => ({
      fault,
      secret: { kind: 'value', secretString },
      upstream: [],
      expect: { status: 503, code: 'not_configured', upstreamCalls: 0, secretReads: 1, log: PUT_KEY_HINT },
    }),
  ),
  {
    fault: 'the key as JSON `{"apiKey": …}` (baseline)',
    secret: { kind: 'value', secretString: `{"apiKey":"${KEY}"}` },
    upstream: [],
    expect: { status: 200, upstreamCalls: 1, secretReads: 1 },
  },
];
