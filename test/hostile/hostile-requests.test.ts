/**
 * Property tests: well over a thousand generated hostile requests through the real pipeline.
 * Each must get the 4xx the contract allows for its defects, in the contract's error shape,
 * with no cookie, no call to Cartesia and no read of the secret.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { APP_ORIGIN, apiEvent } from '../support/api-event';
import { type Harness, startHarness, TOKEN_COOKIE, toEvent } from './handler-harness';
import { CATEGORIES, hostileRequests, secretsSentBy, validRequests } from './hostile-requests';
import { type ClientRequest, contractErrors, ERROR_CODES, headerValue } from './request-oracle';

const HOSTILE_RUNS = 1_300;

let harness: Harness;
const seen = new Map<string, number>();

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

function expectContractError(response: APIGatewayProxyResult, allowed: readonly number[], request: ClientRequest) {
  expect(allowed).toContain(response.statusCode);
  expect(response.headers).toMatchObject({
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  const body = JSON.parse(response.body);
  expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  expect(ERROR_CODES[response.statusCode]).toContain(body.error.code);
  expect(body.error.message.length).toBeGreaterThan(10);
  const headerNames = Object.keys({ ...response.headers, ...response.multiValueHeaders }).map((name) =>
    name.toLowerCase(),
  );
  expect(headerNames).not.toContain('set-cookie');
  // CORS: only the configured origin, and only when that is the origin the request came from.
  const allowOrigin = response.headers?.['Access-Control-Allow-Origin'];
  if (allowOrigin !== undefined) {
    expect(allowOrigin).toBe(APP_ORIGIN);
    expect(headerValue(request, 'origin')).toBe(APP_ORIGIN);
  }
}

describe('hostile requests to the handler', () => {
  test(`${HOSTILE_RUNS} generated hostile requests each get a contract 4xx, no cookie, no upstream call`, async () => {
    const config = harness.config();
    const handler = harness.handler(config);
    await fc.assert(
      fc.asyncProperty(hostileRequests(config), async ({ category, request, allowed }) => {
        seen.set(category, (seen.get(category) ?? 0) + 1);
        for (const value of secretsSentBy(request)) harness.scanner.secret(`credential sent (${category})`, value);
        const response = await harness.send(handler, toEvent(request), category);
        expectContractError(response, allowed, request);
      }),
      { numRuns: HOSTILE_RUNS },
    );
    expect(harness.simulator.requests).toHaveLength(0);
    expect(harness.simulator.connections()).toBe(0);
    expect(harness.secretReads()).toBe(0);
  });

  test('the run covered every family of defects', () => {
    const thin = CATEGORIES.filter((category) => (seen.get(category) ?? 0) < 40);
    expect(thin).toEqual([]);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(HOSTILE_RUNS);
  });

  test('positive control: valid requests built the same way are served, so the checks above can fail', async () => {
    const config = harness.config();
    const handler = harness.handler(config);
    let served = 0;
    await fc.assert(
      fc.asyncProperty(validRequests(config), async (request) => {
        const response = await harness.send(handler, toEvent(request), 'valid request');
        expect(response.statusCode).toBe(200);
        expect(String(response.headers?.['Set-Cookie'])).toMatch(TOKEN_COOKIE);
        served++;
      }),
      { numRuns: 40 },
    );
    expect(harness.simulator.requests).toHaveLength(served);
    expect(harness.secretReads()).toBe(1);
  });
});

describe('regressions found by these tests', () => {
  beforeEach(() => harness.reset());

  const valid = { grants: { tts: true } };
  test.each([
    ['no authorizer claims at all', 401, apiEvent({ body: valid, claims: null })],
    ['claims without sub', 401, apiEvent({ body: valid, claims: { 'cognito:username': 'alice' } })],
    ['a blank sub', 401, apiEvent({ body: valid, claims: { sub: '  ' } })],
    ['DELETE without a signed-in user', 401, apiEvent({ method: 'DELETE', claims: null })],
    ['method "constructor"', 405, apiEvent({ method: 'constructor', body: valid })],
    ['method "__proto__"', 405, apiEvent({ method: '__proto__', body: valid })],
    ['method "toString"', 405, apiEvent({ method: 'toString', body: valid })],
  ])('%s is a %s, not a mint or a 500', async (_name, status, event) => {
    const response = await harness.send(harness.handler(), event, 'regression');
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).error.code).toBe(ERROR_CODES[status][0]);
    expect(response.headers?.['Set-Cookie']).toBeUndefined();
    expect(harness.simulator.requests).toHaveLength(0);
  });

  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'Origin %j is not echoed as an allowed origin',
    async (origin) => {
      const event = apiEvent({ body: { grants: 1 }, headers: { 'content-type': 'application/json', origin } });
      const response = await harness.send(harness.handler(), event, 'regression');
      expect(response.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
    },
  );

  test('the size limit counts bytes, not characters, and the limit itself is allowed', async () => {
    const config = harness.config();
    const padTo = (bytes: number, unit: string) => {
      const head = '{"grants":{"tts":true}}';
      return head + unit.repeat((bytes - head.length) / Buffer.byteLength(unit));
    };
    const atLimit = padTo(config.maxBodyBytes, ' ');
    const overInBytes = padTo(config.maxBodyBytes + 1, ' ');
    expect(
      contractErrors(
        {
          method: 'POST',
          headers: [['content-type', 'application/json']],
          body: atLimit,
          isBase64Encoded: false,
          claims: { sub: 'a' },
        },
        config,
      ).size,
    ).toBe(0);
    expect((await harness.send(harness.handler(config), apiEvent({ body: atLimit }), 'limit')).statusCode).toBe(200);
    expect((await harness.send(harness.handler(config), apiEvent({ body: overInBytes }), 'limit')).statusCode).toBe(
      413,
    );
  });
});

describe('what the hostile runs wrote and answered', () => {
  test('holds no key, token, Authorization or cookie value', () => {
    expect(harness.scanner.secretCount).toBeGreaterThan(100);
    expect(harness.leaks()).toEqual([]);
  });
});
