/**
 * The mint-token pipeline end to end: API Gateway events in, real HTTP to a Cartesia
 * stand-in on 127.0.0.1, Secrets Manager replaced at the SDK boundary only.
 */
import { randomBytes } from 'node:crypto';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { clearCache } from '@middy/util';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type CartesiaSimulator,
  SIMULATED_TOKEN_PREFIX,
  startCartesiaSimulator,
} from '../../cartesia-simulator/simulator';
import { createHandler } from '../../lambda/mint-token/app';
import { parseServiceConfig, type ServiceConfigInput, toFunctionEnvironment } from '../../lambda/mint-token/config';
import { APP_ORIGIN, apiEvent, type EventOptions, lambdaContext } from '../support/api-event';
import { captureOutput, type OutputCapture } from '../support/output-capture';

const SECRET_ID = 'cartesia/api-key';
const newKey = () => `sk_car_test${randomBytes(12).toString('hex')}`;
const secrets = mockClient(SecretsManagerClient);

let simulator: CartesiaSimulator;
let apiKey: string;
let output: OutputCapture;
const issuedTokens: string[] = [];
const usedKeys: string[] = [];
let invocations = 0;

function handlerWith(overrides: Partial<ServiceConfigInput> = {}) {
  const config = parseServiceConfig({
    allowedOrigins: [APP_ORIGIN],
    cartesiaBaseUrl: simulator.url,
    upstreamAttemptTimeoutMs: 300,
    upstreamDeadlineMs: 1200,
    ...overrides,
  });
  return createHandler({ config, secretId: SECRET_ID });
}

async function call(options: EventOptions = {}, handler = handlerWith()) {
  invocations++;
  const response = await handler(apiEvent(options) as never, lambdaContext());
  const cookie = response.headers?.['Set-Cookie'] as string | undefined;
  const token = cookie?.match(/^__Host-cartesia_token=([^;]*)/)?.[1];
  if (token) issuedTokens.push(token);
  return { ...response, cookie, json: response.body ? JSON.parse(response.body) : undefined };
}

const secretCalls = () => secrets.commandCalls(GetSecretValueCommand).length;
const upstreamCalls = () => simulator.requests.length;

beforeAll(async () => {
  output = captureOutput();
  simulator = await startCartesiaSimulator({ apiKey: 'unset' });
});

afterAll(async () => {
  await simulator.close();
  clearCache();
  output.restore();
});

beforeEach(() => {
  clearCache();
  secrets.reset();
  apiKey = newKey();
  usedKeys.push(apiKey);
  simulator.setApiKey(apiKey);
  simulator.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: apiKey });
});

describe('POST /token', () => {
  test('mints a token and returns it only in a hardened cookie', async () => {
    const before = Date.now();
    const response = await call({ body: { grants: { tts: true }, expires_in: 120 } });

    expect(response.statusCode).toBe(200);
    expect(response.cookie).toMatch(
      new RegExp(
        `^__Host-cartesia_token=${SIMULATED_TOKEN_PREFIX}[\\w-]+; Max-Age=120; Path=/; HttpOnly; Secure; SameSite=Strict$`,
      ),
    );
    expect(response.json).toEqual({ grants: { tts: true }, expires_in: 120, expires_at: expect.any(String) });
    const expiresAt = Date.parse(response.json.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Strict-Transport-Security': expect.stringContaining('max-age='),
      'X-Content-Type-Options': 'nosniff',
      'Access-Control-Allow-Origin': APP_ORIGIN,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    expect(simulator.requests).toEqual([
      { keyAccepted: true, version: '2025-04-16', body: { grants: { tts: true }, expires_in: 120 }, status: 200 },
    ]);
  });

  test('uses the configured default lifetime and asks Cartesia for exactly the granted set', async () => {
    const response = await call({ body: { grants: { stt: true, tts: false } } }, handlerWith({ defaultExpiresIn: 45 }));
    expect(response.statusCode).toBe(200);
    expect(response.json.grants).toEqual({ stt: true });
    expect(response.cookie).toContain('Max-Age=45;');
    expect(simulator.requests[0].body).toEqual({ grants: { stt: true }, expires_in: 45 });
  });

  test('grants agent to members of cartesia-agent, whatever shape the groups claim takes', async () => {
    for (const groups of ['cartesia-agent', 'staff,cartesia-agent', '[staff cartesia-agent]', '["cartesia-agent"]']) {
      const response = await call({
        body: { grants: { agent: true, tts: true } },
        claims: { sub: 'agent-user', 'cognito:groups': groups },
      });
      expect({ groups, status: response.statusCode, grants: response.json.grants }).toEqual({
        groups,
        status: 200,
        grants: { tts: true, agent: true },
      });
    }
  });

  test('refuses a grant the user may not have, naming it, without calling Cartesia', async () => {
    const response = await call({
      body: { grants: { tts: true, agent: true } },
      claims: { sub: 'user-1', 'cognito:groups': '[staff cartesia-agents]' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json).toEqual({ error: { code: 'forbidden_grant', message: expect.stringContaining('"agent"') } });
    expect(response.cookie).toBeUndefined();
    expect(upstreamCalls()).toBe(0);
    expect(secretCalls()).toBe(0);
  });

  test('returns the token in the body only when the deployer switched that on', async () => {
    const response = await call({ body: { grants: { tts: true } } }, handlerWith({ tokenInBody: true }));
    expect(response.json.token).toMatch(new RegExp(`^${SIMULATED_TOKEN_PREFIX}`));
    expect(response.cookie).toContain(response.json.token);
  });

  test.each([
    ['malformed JSON', 'invalid_request', 400, { body: '{"grants": {"tts": true}' }],
    ['a JSON array', 'invalid_request', 400, { body: [] }],
    ['grants of the wrong type', 'invalid_request', 400, { body: { grants: 'tts' } }],
    ['a grant that is not a boolean', 'invalid_request', 400, { body: { grants: { tts: 'yes' } } }],
    ['an unknown top-level field', 'invalid_request', 400, { body: { grants: { tts: true }, admin: true } }],
    ['an unknown grant', 'invalid_request', 400, { body: { grants: { tts: true, video: true } } }],
    ['no grant set to true', 'invalid_request', 400, { body: { grants: { tts: false } } }],
    ['no grants at all', 'invalid_request', 400, { body: { expires_in: 60 } }],
    ['expires_in zero', 'invalid_request', 400, { body: { grants: { tts: true }, expires_in: 0 } }],
    ['expires_in above the maximum', 'invalid_request', 400, { body: { grants: { tts: true }, expires_in: 601 } }],
    ['a fractional expires_in', 'invalid_request', 400, { body: { grants: { tts: true }, expires_in: 1.5 } }],
    ['expires_in as a string', 'invalid_request', 400, { body: { grants: { tts: true }, expires_in: '60' } }],
    ['an empty body', 'invalid_request', 400, { body: '' }],
    [
      'a body over the size limit',
      'payload_too_large',
      413,
      { body: { grants: { tts: true }, pad: 'x'.repeat(5000) } },
    ],
    [
      'a non-JSON media type',
      'unsupported_media_type',
      415,
      { body: 'grants=tts', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP_ORIGIN } },
    ],
    [
      'no media type',
      'unsupported_media_type',
      415,
      { body: { grants: { tts: true } }, headers: { origin: APP_ORIGIN } },
    ],
  ])('answers %s with a clear %s error and changes nothing', async (_name, code, status, options) => {
    const response = await call(options as EventOptions);
    expect(response.statusCode).toBe(status);
    expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
    expect(response.json.error.message.length).toBeGreaterThan(10);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      'Access-Control-Allow-Origin': APP_ORIGIN,
    });
    expect(response.cookie).toBeUndefined();
    expect(upstreamCalls()).toBe(0);
  });

  test.each(['Application/JSON', 'application/json;charset=UTF-8', 'application/vnd.api+json'])(
    'accepts the JSON media type written as %s',
    async (contentType) => {
      const response = await call({
        body: { grants: { tts: true } },
        headers: { 'content-type': contentType, origin: APP_ORIGIN },
      });
      expect(response.statusCode).toBe(200);
    },
  );

  test('reads a base64-encoded body as API Gateway sends binary payloads', async () => {
    const body = Buffer.from(JSON.stringify({ grants: { tts: true } })).toString('base64');
    const response = await call({ body, isBase64Encoded: true });
    expect(response.statusCode).toBe(200);
  });

  test('reads the key once per cache window, however many requests come', async () => {
    const handler = handlerWith();
    for (let i = 0; i < 10; i++) {
      expect((await call({ body: { grants: { tts: true } } }, handler)).statusCode).toBe(200);
    }
    expect(secretCalls()).toBe(1);
    expect(upstreamCalls()).toBe(10);
  });

  test('accepts the key stored as JSON {"apiKey": …}', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey }) });
    expect((await call({ body: { grants: { tts: true } } })).statusCode).toBe(200);
  });

  test('after a 401 from Cartesia reads the rotated key once more and succeeds', async () => {
    const handler = handlerWith();
    expect((await call({ body: { grants: { tts: true } } }, handler)).statusCode).toBe(200);
    const rotated = newKey();
    usedKeys.push(rotated);
    simulator.setApiKey(rotated);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: rotated });

    const response = await call({ body: { grants: { tts: true } } }, handler);
    expect(response.statusCode).toBe(200);
    expect(secretCalls()).toBe(2);
    expect(simulator.requests.map((r) => r.status)).toEqual([200, 401, 200]);
  });

  test('a key Cartesia refuses even after a fresh read is a 502', async () => {
    simulator.setApiKey(newKey());
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(502);
    expect(response.json.error.code).toBe('upstream_error');
    expect(secretCalls()).toBe(2);
    expect(upstreamCalls()).toBe(2);
  });

  test.each([
    ['500 on every attempt', 502, 'upstream_error', 3, [500, 500, 500]],
    ['429 on every attempt', 429, 'throttled', 3, [429, 429, 429]],
    ['a 503 then success', 200, undefined, 2, [503]],
  ])('upstream %s → %s %s after %s calls', async (_name, status, code, attempts, statuses) => {
    simulator.inject(...statuses.map((s) => ({ kind: 'status' as const, status: s })));
    const started = Date.now();
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(status);
    if (code) expect(response.json.error.code).toBe(code);
    expect(upstreamCalls()).toBe(attempts);
    expect(Date.now() - started).toBeLessThan(1200 + 200);
  });

  test('a throttled answer carries Retry-After', async () => {
    simulator.inject(
      ...[1, 2, 3].map(() => ({ kind: 'status' as const, status: 429, headers: { 'Retry-After': '0' } })),
    );
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  test('an upstream that never answers is a 504 within the deadline', async () => {
    simulator.inject({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const started = Date.now();
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(504);
    expect(response.json.error.code).toBe('upstream_timeout');
    expect(Date.now() - started).toBeLessThan(1200 + 200);
  });

  test('a slow fresh read of the key ends at the deadline, without a call to Cartesia that cannot finish', async () => {
    simulator.setApiKey(newKey());
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: apiKey })
      .callsFake(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1300));
        return { SecretString: apiKey };
      });
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(504);
    expect(upstreamCalls()).toBe(1);
  });

  test('the operator log says what failed upstream and how often, never the body', async () => {
    simulator.inject(
      ...[1, 2, 3].map(() => ({ kind: 'status' as const, status: 500, body: 'secret-upstream-detail' })),
    );
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(502);
    expect(output.text()).toContain('last failure: HTTP 500; 3 call(s) to Cartesia');
    expect(output.text()).not.toContain('secret-upstream-detail');
  });

  test('an unreadable answer from Cartesia is a 502 and is not retried', async () => {
    simulator.inject({ kind: 'body', body: '<html>oops</html>' });
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(502);
    expect(response.json.error).toEqual({ code: 'upstream_error', message: expect.any(String) });
    expect(response.body).not.toContain('oops');
    expect(upstreamCalls()).toBe(1);
  });

  test('a missing secret is a 503 not_configured', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'Secrets Manager can’t find the specified secret.', $metadata: {} }),
      );
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(503);
    expect(response.json.error.code).toBe('not_configured');
    expect(upstreamCalls()).toBe(0);
  });

  test.each(['', 'REPLACE_WITH_CARTESIA_API_KEY', '{"apiKey":""}', '{"apiKey":"sk_car_..."}', '{"other":"x"}'])(
    'a placeholder secret (%j) is a 503 not_configured that tells the operator what to do',
    async (secretString) => {
      secrets.on(GetSecretValueCommand).resolves({ SecretString: secretString });
      const response = await call({ body: { grants: { tts: true } } });
      expect(response.statusCode).toBe(503);
      expect(response.json.error.code).toBe('not_configured');
      expect(upstreamCalls()).toBe(0);
      expect(output.text()).toContain(`secret ${SECRET_ID}. Put the Cartesia API key into the secret`);
    },
  );

  test('an unreadable secret (throttled, denied) is a 503 unavailable with Retry-After', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const response = await call({ body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(503);
    expect(response.json.error.code).toBe('unavailable');
    expect(response.headers?.['Retry-After']).toBe('5');
  });
});

describe('DELETE /token', () => {
  test('expires the cookie with the same name and flags', async () => {
    const response = await call({ method: 'DELETE', body: undefined, headers: { origin: APP_ORIGIN } });
    expect(response.statusCode).toBe(204);
    expect(response.cookie).toBe('__Host-cartesia_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict');
    expect(response.headers?.['Access-Control-Allow-Origin']).toBe(APP_ORIGIN);
    expect(secretCalls()).toBe(0);
  });
});

describe('CORS and routing', () => {
  test('never allows an origin that is not configured', async () => {
    const response = await call({
      body: { grants: { tts: true } },
      headers: { 'content-type': 'application/json', origin: 'https://evil.example.net' },
    });
    expect(response.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  });

  test('other methods are a 405', async () => {
    const response = await call({ method: 'PUT', body: { grants: { tts: true } } });
    expect(response.statusCode).toBe(405);
    expect(response.json.error.code).toBe('method_not_allowed');
  });
});

describe('the Lambda entry point', () => {
  test('reads its configuration from the environment the stack sets', async () => {
    const config = parseServiceConfig({
      allowedOrigins: [APP_ORIGIN],
      cartesiaBaseUrl: simulator.url,
      cookieName: '__Host-voice',
    });
    Object.assign(process.env, toFunctionEnvironment(config, SECRET_ID));
    const { handler } = await import('../../lambda/mint-token/handler');
    invocations++;
    const response = await handler(apiEvent({ body: { grants: { tts: true } } }) as never, lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Set-Cookie']).toMatch(/^__Host-voice=sim_tok_/);
    issuedTokens.push(String(response.headers?.['Set-Cookie']).split(/[=;]/)[1]);
  });
});

describe('logs', () => {
  test('write one audit line per request and never a key or a token', () => {
    const text = output.text();
    expect(issuedTokens.length).toBeGreaterThan(10);
    for (const secret of [...usedKeys, ...issuedTokens]) expect(text.includes(secret)).toBe(false);
    expect(text).not.toMatch(/sk_car_test[0-9a-f]{24}|sim_tok_[\w-]{20,}/);
    const audits = text
      .split('\n')
      .filter((line) => line.includes('"audit"'))
      .map((line) => JSON.parse(line).audit);
    expect(audits).toHaveLength(invocations);
    for (const audit of audits) {
      expect(audit).toMatchObject({
        action: expect.stringMatching(/^(mint|revoke)$/),
        status: expect.any(Number),
        outcome: expect.stringMatching(/^[a-z_]+$/),
        latency_ms: expect.any(Number),
        request_id: expect.any(String),
        api_request_id: expect.any(String),
      });
    }
    expect(audits).toContainEqual(
      expect.objectContaining({
        action: 'mint',
        sub: 'user-123',
        grants: ['tts'],
        expires_in: 120,
        status: 200,
        outcome: 'success',
      }),
    );
    expect(audits).toContainEqual(expect.objectContaining({ status: 403, outcome: 'forbidden_grant', sub: 'user-1' }));
    expect(audits).toContainEqual(expect.objectContaining({ action: 'revoke', status: 204 }));
  });
});
