/**
 * Keeps a short-lived Cartesia access token fresh in the browser, as Cartesia advises:
 * minted server-side (`POST /token`), delivered in an `HttpOnly` cookie that page script
 * never sees, refreshed before it expires, and never written to localStorage or
 * sessionStorage. Framework-free; needs only `fetch` and timers.
 *
 * ```ts
 * const session = createTokenSession({
 *   endpoint: 'https://voice-api.example.com/token',
 *   getIdToken: () => currentCognitoIdToken(),
 *   grants: { tts: true },
 *   expiresIn: 300,
 * });
 * session.on('refreshed', ({ expiresAt }) => console.log('token valid until', expiresAt));
 * session.on('error', (error) => error.fatal && showSignIn());
 * await session.start();
 * // … later
 * await session.signOut();
 * ```
 */

export type Grant = 'tts' | 'stt' | 'agent';
export type Grants = Partial<Record<Grant, boolean>>;

export interface TokenSessionOptions {
  /** URL of the token endpoint (`POST` mints, `DELETE` signs out), e.g. `https://voice-api.example.com/token`. */
  readonly endpoint: string;
  /**
   * Returns the signed-in user's Cognito ID token (the raw JWT). Called before every request,
   * so it may refresh the ID token; throwing stops the session with a fatal `error`.
   */
  readonly getIdToken: () => string | Promise<string>;
  /** The grants to ask for; at least one `true`. */
  readonly grants: Grants;
  /** Token lifetime in seconds. @default the service's default (60 s unless the deployer changed it) */
  readonly expiresIn?: number;
  /** Refresh this many seconds before the token expires; at most half the lifetime is used. @default 10 */
  readonly refreshMargin?: number;
  /** First wait after a retryable failure (429, 5xx, network), in ms; doubles on each failure, with jitter. @default 1000 */
  readonly retryBaseMs?: number;
  /** Longest wait between retries, in ms (a longer `Retry-After` is still honoured). @default 30000 */
  readonly retryMaxMs?: number;
}

/** What the service granted: the token itself stays in the cookie. */
export interface GrantedToken {
  readonly grants: Grants;
  readonly expiresIn: number;
  /** When the token expires, on this browser's clock. */
  readonly expiresAt: Date;
}

export interface TokenSessionError {
  /** HTTP status, when the service answered. */
  readonly status?: number;
  /**
   * The contract's error code (`unauthorized`, `throttled`, …); or `network_error` (no answer),
   * `invalid_response` (an answer without the grant), `id_token_unavailable` (getIdToken failed),
   * `http_<status>` (an error answer not in the contract's shape).
   */
  readonly code: string;
  readonly message: string;
  /** True when the session stopped (401, 403, other 4xx, no ID token); sign in again, then `start()`. */
  readonly fatal: boolean;
  /** For retryable errors: when the next attempt is made, in ms. */
  readonly retryInMs?: number;
}

export interface TokenSessionEvents {
  /** A token was minted (the first one, or a refresh). */
  refreshed: GrantedToken;
  /** The last token expired before a new one could be minted. */
  expired: { readonly expiresAt: Date };
  /** A request failed; see `fatal`. */
  error: TokenSessionError;
}

export type TokenSessionState = 'idle' | 'running' | 'stopped';

export interface TokenSession {
  /** Mints a token now and keeps refreshing it; resolves once the first attempt has an outcome (see the events). */
  start(): Promise<void>;
  /** Stops refreshing; the cookie stays until it expires. */
  stop(): void;
  /** Stops refreshing and asks the service to expire the cookie (`DELETE`); rejects when it could not. */
  signOut(): Promise<void>;
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof TokenSessionEvents>(type: K, listener: (detail: TokenSessionEvents[K]) => void): () => void;
  readonly state: TokenSessionState;
  /** The last token granted, while the session runs. */
  readonly current: GrantedToken | undefined;
}

const DEFAULTS = { refreshMargin: 10, retryBaseMs: 1000, retryMaxMs: 30_000 };

type Listeners = { [K in keyof TokenSessionEvents]: Set<(detail: TokenSessionEvents[K]) => void> };

/** The contract's error body, or a generic description when the answer is not one. */
async function errorFrom(response: Response): Promise<{ code: string; message: string }> {
  try {
    const { error } = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      return { code: error.code, message: error.message };
    }
  } catch {
    // Not JSON: described below.
  }
  return { code: `http_${response.status}`, message: `The token service answered ${response.status}.` };
}

/** The service sends `Retry-After` in seconds. */
function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('Retry-After') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

const isRetryable = (status: number) => status === 429 || status >= 500;

/** The body of a 200 from `POST /token`. */
interface GrantBody {
  grants: Grants;
  expires_in: number;
  expires_at: string;
}

const isGrantBody = (body: unknown): body is GrantBody => {
  const { grants, expires_in, expires_at } = (body ?? {}) as Partial<GrantBody>;
  return (
    typeof grants === 'object' &&
    grants !== null &&
    typeof expires_in === 'number' &&
    expires_in > 0 &&
    typeof expires_at === 'string'
  );
};

/** `getIdToken` failed: the user must sign in again. */
class IdTokenUnavailable extends Error {
  name = 'IdTokenUnavailable';
}

export function createTokenSession(options: TokenSessionOptions): TokenSession {
  const refreshMarginMs = (options.refreshMargin ?? DEFAULTS.refreshMargin) * 1000;
  const retryBaseMs = options.retryBaseMs ?? DEFAULTS.retryBaseMs;
  const retryMaxMs = options.retryMaxMs ?? DEFAULTS.retryMaxMs;
  const listeners: Listeners = { refreshed: new Set(), expired: new Set(), error: new Set() };

  let state: TokenSessionState = 'idle';
  let current: GrantedToken | undefined;
  let failures = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;

  function emit<K extends keyof TokenSessionEvents>(type: K, detail: TokenSessionEvents[K]) {
    for (const listener of listeners[type]) {
      try {
        listener(detail);
      } catch (error) {
        // A failing listener must not break the refresh loop; report it as the page would an uncaught error.
        if (typeof reportError === 'function') reportError(error);
        else console.error(error);
      }
    }
  }

  const clearTimers = () => {
    clearTimeout(refreshTimer);
    clearTimeout(expiryTimer);
  };

  async function idToken(): Promise<string> {
    try {
      return await options.getIdToken();
    } catch (error) {
      throw new IdTokenUnavailable(`No ID token: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function send(method: 'POST' | 'DELETE', signal?: AbortSignal): Promise<Response> {
    const authorization = await idToken();
    const body =
      method === 'POST'
        ? JSON.stringify({
            grants: options.grants,
            ...(options.expiresIn === undefined ? {} : { expires_in: options.expiresIn }),
          })
        : undefined;
    return fetch(options.endpoint, {
      method,
      // The cookie is set (and expired) by a cross-origin API: credentials must be included.
      credentials: 'include',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body,
      signal,
    });
  }

  function stopWith(error: TokenSessionError) {
    stop();
    emit('error', error);
  }

  function retryLater(error: Omit<TokenSessionError, 'fatal' | 'retryInMs'>, notBeforeMs = 0) {
    failures++;
    const ceiling = Math.min(retryMaxMs, retryBaseMs * 2 ** (failures - 1));
    // "Equal jitter": spread clients out, but never retry at once.
    const retryInMs = Math.max(notBeforeMs, ceiling / 2 + (Math.random() * ceiling) / 2);
    refreshTimer = setTimeout(mint, retryInMs);
    emit('error', { ...error, fatal: false, retryInMs });
  }

  function granted(body: GrantBody) {
    const now = Date.now();
    const lifetimeMs = body.expires_in * 1000;
    // expires_at is on the server's clock; if this clock disagrees, trust the lifetime instead.
    const untilExpiry = Date.parse(body.expires_at) - now;
    const remainingMs = untilExpiry > 0 ? Math.min(untilExpiry, lifetimeMs) : lifetimeMs;
    current = { grants: body.grants, expiresIn: body.expires_in, expiresAt: new Date(now + remainingMs) };
    failures = 0;
    clearTimers();
    // Capped at half the lifetime, so that short tokens are not refreshed in a tight loop.
    refreshTimer = setTimeout(mint, remainingMs - Math.min(refreshMarginMs, remainingMs / 2));
    const expiring = current;
    expiryTimer = setTimeout(() => emit('expired', { expiresAt: expiring.expiresAt }), remainingMs);
    emit('refreshed', current);
  }

  async function mint(): Promise<void> {
    if (state !== 'running') return;
    const controller = new AbortController();
    inFlight = controller;
    let response: Response;
    try {
      response = await send('POST', controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof IdTokenUnavailable) {
        return stopWith({ code: 'id_token_unavailable', message: error.message, fatal: true });
      }
      return retryLater({ code: 'network_error', message: 'The token service could not be reached.' });
    }
    if (controller.signal.aborted) return;
    if (response.ok) {
      const body = await response.json().catch(() => undefined);
      if (controller.signal.aborted) return;
      if (isGrantBody(body)) return granted(body);
      const message = 'The token service sent an answer that could not be read.';
      return retryLater({ status: response.status, code: 'invalid_response', message });
    }
    const error = { status: response.status, ...(await errorFrom(response)) };
    if (controller.signal.aborted) return;
    if (isRetryable(response.status)) return retryLater(error, retryAfterMs(response));
    stopWith({ ...error, fatal: true });
  }

  function stop() {
    state = 'stopped';
    inFlight?.abort();
    inFlight = undefined;
    clearTimers();
  }

  return {
    start() {
      if (state === 'running') return Promise.resolve();
      state = 'running';
      failures = 0;
      return mint();
    },
    stop,
    async signOut() {
      stop();
      current = undefined;
      const response = await send('DELETE');
      if (!response.ok) {
        const { code, message } = await errorFrom(response);
        throw Object.assign(new Error(message), { name: 'TokenSessionError', status: response.status, code });
      }
    },
    on(type, listener) {
      listeners[type].add(listener);
      return () => listeners[type].delete(listener);
    },
    get state() {
      return state;
    },
    get current() {
      return current;
    },
  };
}
