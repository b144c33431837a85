/**
 * Leak scan: a realistic session through the real pipeline (mints, a key rotation, a revoked
 * key, upstream errors, sign-out, the browser sending its cookie back), with every byte logged
 * or answered scanned for the key, every issued token, every Authorization and cookie value.
 * Planted canaries prove the scanner would catch a leak in each place it looks.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { APP_ORIGIN, apiEvent, lambdaContext } from '../support/api-event';
import { type Harness, newApiKey, startHarness, TOKEN_COOKIE } from './handler-harness';
import { LeakScanner } from './leak-scanner';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

/** An ID token's shape: what a browser puts in Authorization. */
const idTokenLike = () =>
  ['eyJhbGciOiJSUzI1NiJ9', randomBytes(48).toString('base64url'), randomBytes(64).toString('base64url')].join('.');

describe('a session through the handler', () => {
  test('leaves no key, token, Authorization or cookie value in any response or log line', async () => {
    const handler = harness.handler();
    let cookie: string | undefined;
    const send = async (where: string, options: Parameters<typeof apiEvent>[0] = {}) => {
      const headers = {
        'content-type': 'application/json',
        origin: APP_ORIGIN,
        authorization: idTokenLike(),
        ...(cookie ? { cookie } : {}),
      };
      const response = await harness.send(handler, apiEvent({ headers, ...options }), where);
      const issued = String(response.headers?.['Set-Cookie'] ?? '').match(TOKEN_COOKIE);
      if (issued?.[1]) cookie = issued[0]; // the browser sends it back from now on
      return response;
    };
    const body = { grants: { tts: true, stt: true }, expires_in: 120 };

    expect((await send('first mint', { body })).statusCode).toBe(200);
    expect((await send('refresh', { body })).statusCode).toBe(200);
    const agent = { sub: 'agent-user', 'cognito:groups': '[staff cartesia-agent]' };
    expect((await send('agent mint', { body: { grants: { agent: true } }, claims: agent })).statusCode).toBe(200);
    expect((await send('forbidden grant', { body: { grants: { agent: true } } })).statusCode).toBe(403);
    expect((await send('bad body', { body: { grants: { tts: 'yes' } } })).statusCode).toBe(400);

    // The key is rotated: Cartesia refuses the cached one, the function reads the secret again.
    const rotated = newApiKey();
    harness.scanner.secret('rotated API key', rotated);
    harness.simulator.setApiKey(rotated);
    harness.secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: rotated }) });
    expect((await send('mint after rotation', { body })).statusCode).toBe(200);

    // Cartesia answers with bodies that carry token-like values: none may come through.
    const upstreamToken = `sim_tok_${randomBytes(24).toString('base64url')}`;
    harness.scanner.secret('token in an upstream error body', upstreamToken);
    const upstreamBody = JSON.stringify({ error: 'boom', token: upstreamToken });
    harness.simulator.inject(...[1, 2, 3].map(() => ({ kind: 'status' as const, status: 500, body: upstreamBody })));
    expect((await send('upstream 500', { body })).statusCode).toBe(502);
    harness.simulator.inject({ kind: 'status', status: 400, body: upstreamBody });
    expect((await send('upstream 400', { body })).statusCode).toBe(502);

    // The key is revoked: two refusals, a 502, and the key still in no log line.
    harness.simulator.setApiKey(newApiKey());
    expect((await send('revoked key', { body })).statusCode).toBe(502);

    expect((await send('sign-out', { method: 'DELETE', body: undefined })).statusCode).toBe(204);

    expect(harness.scanner.secretCount).toBeGreaterThanOrEqual(20);
    expect(harness.leaks()).toEqual([]);
  });
});

describe('canaries: the scanner catches a leak wherever it looks', () => {
  test('a key written through the Powertools logger, raw or encoded', () => {
    const output = harness.output;
    const canary = newApiKey();
    const scanner = new LeakScanner();
    scanner.secret('canary key', canary);
    const logger = new Logger({ serviceName: 'canary' });
    const start = output.text().length;

    logger.info('config', { cartesia: { apiKey: canary } });
    scanner.output('log', output.text().slice(start));
    expect(scanner.findLeaks()).toEqual([{ secret: 'canary key', where: 'log', encoding: 'raw' }]);

    const encoded = new LeakScanner();
    encoded.secret('canary key', canary);
    encoded.output(
      'log',
      `Authorization=${encodeURIComponent(`${canary}/=`)} ${Buffer.from(canary).toString('base64')}`,
    );
    const encodings = encoded.findLeaks().map((leak) => leak.encoding);
    expect(encodings).toEqual(expect.arrayContaining(['raw', 'base64']));
  });

  test('a token in a response body (the deployer switched body delivery on)', async () => {
    harness.reset();
    const scanner = new LeakScanner();
    const handler = harness.handler(harness.config({ tokenInBody: true }));
    const response = await handler(apiEvent({ body: { grants: { tts: true } } }) as never, lambdaContext());
    const token = String(response.headers?.['Set-Cookie']).match(TOKEN_COOKIE)?.[1];
    scanner.secret('issued token', token);
    scanner.response('mint', response);
    expect(scanner.findLeaks()).toEqual([{ secret: 'issued token', where: 'mint: body', encoding: 'raw' }]);
  });

  test('a token in any header but the Set-Cookie of a 200, and in a Set-Cookie of an error', () => {
    const token = `sim_tok_${randomBytes(24).toString('base64url')}`;
    const scanner = new LeakScanner();
    scanner.secret('issued token', token);
    scanner.response('ok', {
      statusCode: 200,
      body: '{}',
      headers: { 'Set-Cookie': `__Host-cartesia_token=${token}` },
    });
    expect(scanner.findLeaks()).toEqual([]);
    scanner.response('debug', { statusCode: 200, body: '{}', headers: { 'X-Debug': token } });
    scanner.response('error', { statusCode: 502, body: '{}', headers: { 'Set-Cookie': `t=${token}` } });
    expect(scanner.findLeaks().map((leak) => leak.where)).toEqual([
      'debug: header X-Debug',
      'error: header Set-Cookie',
    ]);
  });
});
