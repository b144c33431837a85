/**
 * The browser client's logic, run in Node against a scripted token endpoint on 127.0.0.1
 * (real HTTP, Node's own fetch). Browser behaviour (cookies, storage) is in demo-page.test.ts.
 */
import {
  createTokenSession,
  type TokenSession,
  type TokenSessionEvents,
  type TokenSessionOptions,
} from '../../browser-client/token-session';
import { errorReply, type ScriptedTokenService, startScriptedTokenService } from './scripted-token-service';

let service: ScriptedTokenService;
let session: TokenSession | undefined;
const storageTouches: string[] = [];

type Recorded = {
  [K in keyof TokenSessionEvents]: { type: K; detail: TokenSessionEvents[K]; at: number };
}[keyof TokenSessionEvents];

/** A session whose events are recorded in order. */
function recordedSession(options: Partial<TokenSessionOptions> = {}) {
  let idTokens = 0;
  session = createTokenSession({
    endpoint: service.url,
    getIdToken: () => `id-token-${++idTokens}`,
    grants: { tts: true },
    retryBaseMs: 20,
    ...options,
  });
  const events: Recorded[] = [];
  const waiters: Array<{ type: string; count: number; resolve: () => void }> = [];
  for (const type of ['refreshed', 'expired', 'error'] as const) {
    session.on(type, (detail) => {
      events.push({ type, detail, at: Date.now() } as Recorded);
      for (const waiter of [...waiters]) {
        if (events.filter((event) => event.type === waiter.type).length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  }
  /** Resolves once `count` events of this type have been seen. */
  const waitFor = (type: keyof TokenSessionEvents, count = 1) =>
    events.filter((event) => event.type === type).length >= count
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ type, count, resolve }));
  const ofType = <K extends keyof TokenSessionEvents>(type: K) =>
    events.filter((event) => event.type === type).map((event) => event.detail as TokenSessionEvents[K]);
  return { session, events, waitFor, ofType };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  service = await startScriptedTokenService();
  // The client must never use web storage: any touch is recorded.
  for (const name of ['localStorage', 'sessionStorage']) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: () => {
        storageTouches.push(name);
        return undefined;
      },
    });
  }
});

afterEach(() => {
  session?.stop();
  session = undefined;
  service.reset();
});

afterAll(async () => {
  await service.close();
  for (const name of ['localStorage', 'sessionStorage']) Reflect.deleteProperty(globalThis, name);
});

test('mints with the request the contract describes and reports what was granted', async () => {
  const { session, ofType } = recordedSession({ grants: { tts: true, stt: false }, expiresIn: 30 });
  const before = Date.now();
  await session.start();

  expect(service.requests).toEqual([
    {
      method: 'POST',
      authorization: 'id-token-1',
      contentType: 'application/json',
      body: { grants: { tts: true, stt: false }, expires_in: 30 },
      at: expect.any(Number),
    },
  ]);
  const [granted] = ofType('refreshed');
  expect(granted).toEqual({ grants: { tts: true }, expiresIn: 30, expiresAt: expect.any(Date) });
  expect(granted.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 29_000);
  expect(granted.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 30_000);
  expect(session.current).toEqual(granted);
  expect(session.state).toBe('running');
});

test('leaves expires_in out when none is set, so the service default applies', async () => {
  const { session } = recordedSession();
  await session.start();
  expect(service.requests[0].body).toEqual({ grants: { tts: true } });
});

test('refreshes before the token expires, with a fresh ID token each time', async () => {
  const { session, waitFor, ofType } = recordedSession({ expiresIn: 2, refreshMargin: 1 });
  await session.start();
  const first = ofType('refreshed')[0];
  await waitFor('refreshed', 2);

  expect(service.requests).toHaveLength(2);
  expect(service.requests[1].at).toBeLessThan(first.expiresAt.getTime());
  expect(service.requests.map((request) => request.authorization)).toEqual(['id-token-1', 'id-token-2']);
  expect(ofType('expired')).toEqual([]);
});

test('caps the refresh margin at half the lifetime, so short tokens are not refreshed in a loop', async () => {
  const { session, waitFor, ofType } = recordedSession({ expiresIn: 1, refreshMargin: 10 });
  await session.start();
  await waitFor('refreshed', 2);
  const [first, second] = ofType('refreshed');
  // Refreshed at half the lifetime: well after the first mint, before its expiry.
  expect(service.requests[1].at - service.requests[0].at).toBeGreaterThanOrEqual(450);
  expect(service.requests[1].at).toBeLessThan(first.expiresAt.getTime());
  expect(second.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime());
});

test.each([
  [503, 'unavailable'],
  [429, 'throttled'],
])('backs off on %s as long as Retry-After says, then recovers', async (status, code) => {
  service.script(errorReply(status, code, { 'Retry-After': '1' }));
  const { session, waitFor, ofType } = recordedSession();
  await session.start();
  expect(ofType('error')).toEqual([
    { status, code, message: `scripted ${code}`, fatal: false, retryInMs: expect.any(Number) },
  ]);
  expect(ofType('error')[0].retryInMs).toBeGreaterThanOrEqual(1000);
  await waitFor('refreshed');
  expect(service.requests[1].at - service.requests[0].at).toBeGreaterThanOrEqual(990);
  expect(session.state).toBe('running');
});

test('without Retry-After, waits longer after each failure, with jitter, up to the cap', async () => {
  service.script(
    errorReply(500, 'internal_error'),
    errorReply(502, 'upstream_error'),
    errorReply(504, 'upstream_timeout'),
    errorReply(500, 'internal_error'),
  );
  const { session, waitFor, ofType } = recordedSession({ retryBaseMs: 20, retryMaxMs: 60 });
  await session.start();
  await waitFor('refreshed');
  const waits = ofType('error').map((error) => error.retryInMs ?? -1);
  expect(waits).toHaveLength(4);
  // Each wait lies between half and all of min(cap, base × 2^n).
  [20, 40, 60, 60].forEach((ceiling, i) => {
    expect(waits[i]).toBeGreaterThanOrEqual(ceiling / 2);
    expect(waits[i]).toBeLessThanOrEqual(ceiling);
  });
  expect(ofType('error').map((error) => error.code)).toEqual([
    'internal_error',
    'upstream_error',
    'upstream_timeout',
    'internal_error',
  ]);
});

test('retries when the connection fails', async () => {
  service.script({ reset: true });
  const { session, waitFor, ofType } = recordedSession();
  await session.start();
  expect(ofType('error')).toEqual([
    { code: 'network_error', message: expect.any(String), fatal: false, retryInMs: expect.any(Number) },
  ]);
  await waitFor('refreshed');
  expect(service.requests).toHaveLength(2);
});

test.each([
  [401, 'unauthorized'],
  [403, 'forbidden_grant'],
  [400, 'invalid_request'],
])('stops and reports on %s %s', async (status, code) => {
  service.script(errorReply(status, code));
  const { session, ofType } = recordedSession({ retryBaseMs: 5 });
  await session.start();
  expect(ofType('error')).toEqual([{ status, code, message: `scripted ${code}`, fatal: true }]);
  expect(session.state).toBe('stopped');
  // A retry would have come within 5 ms.
  await pause(100);
  expect(service.requests).toHaveLength(1);
  expect(ofType('refreshed')).toEqual([]);
});

test('stops when a refresh is refused after the ID token expired', async () => {
  service.script(
    {
      status: 200,
      body: { grants: { tts: true }, expires_in: 1, expires_at: new Date(Date.now() + 1000).toISOString() },
    },
    errorReply(401, 'unauthorized'),
  );
  const { session, waitFor, ofType } = recordedSession();
  await session.start();
  await waitFor('error');
  expect(ofType('error')).toEqual([expect.objectContaining({ status: 401, fatal: true })]);
  expect(session.state).toBe('stopped');
});

test('describes an error answer that is not in the contract shape', async () => {
  service.script({ status: 502, body: 'Bad Gateway' });
  const { session, ofType } = recordedSession();
  await session.start();
  expect(ofType('error')[0]).toMatchObject({ status: 502, code: 'http_502', fatal: false });
});

test('retries an answer without the grant in it', async () => {
  service.script({ status: 200, body: { token: 'unexpected' } });
  const { session, waitFor, ofType } = recordedSession();
  await session.start();
  expect(ofType('error')[0]).toMatchObject({ status: 200, code: 'invalid_response', fatal: false });
  await waitFor('refreshed');
});

test('a getIdToken that fails stops the session before any request', async () => {
  const { session, ofType } = recordedSession({
    getIdToken: () => {
      throw new Error('not signed in');
    },
  });
  await session.start();
  expect(ofType('error')).toEqual([
    { code: 'id_token_unavailable', message: 'No ID token: not signed in', fatal: true },
  ]);
  expect(service.requests).toEqual([]);
  expect(session.state).toBe('stopped');
});

test('reports expiry when no new token arrives in time', async () => {
  service.script(
    {
      status: 200,
      body: { grants: { tts: true }, expires_in: 1, expires_at: new Date(Date.now() + 1000).toISOString() },
    },
    errorReply(503, 'unavailable', { 'Retry-After': '5' }),
  );
  const { session, waitFor, ofType } = recordedSession();
  await session.start();
  const { expiresAt } = ofType('refreshed')[0];
  await waitFor('expired');
  expect(ofType('expired')).toEqual([{ expiresAt }]);
  expect(ofType('error')).toEqual([expect.objectContaining({ status: 503, fatal: false })]);
});

test('trusts the lifetime when this clock disagrees with expires_at', async () => {
  // expires_at already past on this clock: a client clock ahead of the server's.
  service.script({
    status: 200,
    body: { grants: { tts: true }, expires_in: 30, expires_at: new Date(Date.now() - 60_000).toISOString() },
  });
  const { session, ofType } = recordedSession();
  const before = Date.now();
  await session.start();
  const { expiresAt } = ofType('refreshed')[0];
  expect(expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30_000);
  expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 30_000);
});

test('signOut sends DELETE with the ID token and stops refreshing', async () => {
  const { session, ofType } = recordedSession({ expiresIn: 1 });
  await session.start();
  await session.signOut();
  expect(service.requests.map(({ method, authorization }) => ({ method, authorization }))).toEqual([
    { method: 'POST', authorization: 'id-token-1' },
    { method: 'DELETE', authorization: 'id-token-2' },
  ]);
  expect(session.state).toBe('stopped');
  expect(session.current).toBeUndefined();
  // The refresh was due after half the lifetime.
  await pause(700);
  expect(service.requests).toHaveLength(2);
  expect(ofType('refreshed')).toHaveLength(1);
});

test('signOut rejects when the service refuses', async () => {
  service.script(errorReply(401, 'unauthorized'));
  const { session } = recordedSession();
  await expect(session.signOut()).rejects.toThrow('scripted unauthorized');
});

test('stop() abandons a request in flight without reporting anything', async () => {
  service.script({ hang: true });
  const { session, events } = recordedSession();
  const started = session.start();
  while (service.requests.length === 0) await pause(5);
  session.stop();
  await started;
  expect(events).toEqual([]);
  expect(session.state).toBe('stopped');
});

test('a listener that throws does not stop the session; removed listeners hear nothing', async () => {
  const { session, waitFor } = recordedSession({ expiresIn: 1 });
  const heard: string[] = [];
  const reported = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    session.on('refreshed', () => {
      throw new Error('listener bug');
    });
    const off = session.on('refreshed', () => heard.push('removed listener'));
    off();
    await session.start();
    await waitFor('refreshed', 2);
    expect(heard).toEqual([]);
    expect(session.state).toBe('running');
    // Node has no reportError: the client falls back to console.error.
    expect(reported).toHaveBeenCalledWith(expect.objectContaining({ message: 'listener bug' }));
  } finally {
    reported.mockRestore();
  }
});

test('never touched localStorage or sessionStorage in any of the tests above', () => {
  expect(service).toBeDefined();
  expect(storageTouches).toEqual([]);
});
