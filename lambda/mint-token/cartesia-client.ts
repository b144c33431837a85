/**
 * Calls Cartesia's `POST /access-token` within a deadline: bounded, jittered retries on
 * network errors, 429 and 5xx; one fresh read of the key after a 401/403 (it may have been
 * rotated); every failure mapped to the contract's status. Never logs or returns upstream bodies.
 */
import { type Grant, grantFlags } from './config';
import { ApiError } from './errors';
import { postJson, UpstreamTimeoutError } from './upstream-http';

export interface CartesiaClientOptions {
  readonly baseUrl: string;
  readonly version: string;
  /** Time allowed for one call, in milliseconds. */
  readonly attemptTimeoutMs: number;
  /** Time allowed for all calls together, in milliseconds. */
  readonly deadlineMs: number;
  /** Calls at most, the first included (a key refresh adds one). */
  readonly maxAttempts: number;
}

/** Reads the API key; `fresh` asks for a new read instead of the cached value. */
export type KeyProvider = (fresh: boolean) => Promise<string>;

const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

type Failure =
  | { kind: 'timeout' }
  | { kind: 'network'; code?: string }
  | { kind: 'throttled'; retryAfterMs?: number }
  | { kind: 'server'; status: number };

/** A call to Cartesia may still be worth starting with this much time left. */
const MIN_ATTEMPT_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** "Full jitter" backoff: a random wait up to an exponentially growing cap. */
const backoff = (attempt: number) => Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const isTimeout = (error: unknown) => error instanceof UpstreamTimeoutError;

/** What went wrong, for the operator's log line (statuses and error codes only, never bodies). */
function upstreamCause(what: string, attempts: number): Error {
  return new Error(`${what}; ${attempts} call(s) to Cartesia`);
}

function finalError(failure: Failure, attempts: number): ApiError {
  const describe: Record<Failure['kind'], string> = {
    timeout: 'no answer within the time allowed',
    network: `network error ${failure.kind === 'network' ? (failure.code ?? '') : ''}`.trim(),
    throttled: 'HTTP 429',
    server: `HTTP ${failure.kind === 'server' ? failure.status : ''}`,
  };
  const cause = { cause: upstreamCause(`last failure: ${describe[failure.kind]}`, attempts) };
  switch (failure.kind) {
    case 'timeout':
      return new ApiError(504, 'upstream_timeout', 'Cartesia did not answer in time. Try again.', {}, cause);
    case 'throttled': {
      const seconds = Math.max(1, Math.ceil((failure.retryAfterMs ?? 1000) / 1000));
      return new ApiError(
        429,
        'throttled',
        'Cartesia is rate limiting token requests. Retry later.',
        { 'Retry-After': String(seconds) },
        cause,
      );
    }
    default:
      return new ApiError(502, 'upstream_error', 'Cartesia could not issue a token. Try again later.', {}, cause);
  }
}

function readToken(body: string): string {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new ApiError(502, 'upstream_error', 'Cartesia sent an answer that could not be read.');
  }
  const token = (payload as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token === '') {
    throw new ApiError(502, 'upstream_error', 'Cartesia sent an answer without a token.');
  }
  return token;
}

/** Mints an access token carrying exactly `grants`, valid for `expiresIn` seconds. */
export async function mintAccessToken(
  options: CartesiaClientOptions,
  getKey: KeyProvider,
  grants: readonly Grant[],
  expiresIn: number,
): Promise<string> {
  const deadline = Date.now() + options.deadlineMs;
  const url = new URL('/access-token', options.baseUrl);
  const body = JSON.stringify({
    grants: grantFlags(grants),
    expires_in: expiresIn,
  });
  let key = await getKey(false);
  let keyRefreshed = false;
  let retries = 0;

  for (let attempts = 1; ; attempts++) {
    const remaining = deadline - Date.now();
    // Only after a slow key refresh: the deadline has passed before this call could start.
    if (remaining < MIN_ATTEMPT_MS) throw finalError({ kind: 'timeout' }, attempts - 1);
    let failure: Failure;
    try {
      const response = await postJson(
        url,
        { Authorization: `Bearer ${key}`, 'Cartesia-Version': options.version, 'Content-Type': 'application/json' },
        body,
        Math.min(options.attemptTimeoutMs, remaining),
      );
      if (response.status >= 200 && response.status < 300) return readToken(response.body);
      if ((response.status === 401 || response.status === 403) && !keyRefreshed) {
        keyRefreshed = true;
        key = await getKey(true);
        continue;
      }
      if (response.status === 429) {
        failure = { kind: 'throttled', retryAfterMs: retryAfterMs(response.headers['retry-after']) };
      } else if (response.status >= 500) {
        failure = { kind: 'server', status: response.status };
      } else {
        throw new ApiError(
          502,
          'upstream_error',
          'Cartesia refused to issue a token.',
          {},
          {
            cause: upstreamCause(
              `HTTP ${response.status}${keyRefreshed ? ' after a fresh read of the key' : ''}`,
              attempts,
            ),
          },
        );
      }
    } catch (error) {
      if (error instanceof ApiError) throw error;
      failure = isTimeout(error) ? { kind: 'timeout' } : { kind: 'network', code: (error as { code?: string }).code };
    }

    retries++;
    const wait = Math.max(backoff(retries), failure.kind === 'throttled' ? (failure.retryAfterMs ?? 0) : 0);
    if (retries >= options.maxAttempts || Date.now() + wait >= deadline) throw finalError(failure, attempts);
    await sleep(wait);
  }
}
