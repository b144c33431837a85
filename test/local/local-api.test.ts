/**
 * The local API over real HTTP on 127.0.0.1: the API Gateway stand-in (authorizer, CORS,
 * routes, proxy event) around the real mint-token handler, the development issuer, the
 * demo assets, and the switches between embedded defaults and real Cognito/Cartesia.
 * Nothing here reaches the network: Cartesia is the offline simulator, Cognito is never called.
 */

import { clearCache } from '@middy/util';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { type CartesiaSimulator, startCartesiaSimulator } from '../../cartesia-simulator/simulator';
import { claimsAsStrings } from '../../local/api-gateway-adapter';
import { LOCAL_ONLY_HEADER, type LocalApi, startLocalApi } from '../../local/server';
import { captureOutput, type OutputCapture } from '../support/output-capture';

const OTHER_ORIGIN = 'http://localhost:5173';
const FOREIGN_ORIGIN = 'https://evil.example.net';

let api: LocalApi;
let output: OutputCapture;
const secrets: string[] = [];

async function idToken(target: LocalApi, username = 'alice', groups: string[] = []): Promise<string> {
  const response = await fetch(`${target.url}/local/id-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, groups }),
  });
  expect(response.status).toBe(200);
  const { id_token } = await response.json();
  secrets.push(id_token);
  return id_token;
}

async function postToken(
  target: LocalApi,
  authorization: string | undefined,
  body: unknown = { grants: { tts: true } },
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${target.url}/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: target.pageUrl,
      ...(authorization ? { Authorization: authorization } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const cookie = response.headers.get('set-cookie') ?? undefined;
  const token = cookie?.match(/^__Host-cartesia_token=([^;]+)/)?.[1];
  if (token) secrets.push(token);
  return { status: response.status, headers: response.headers, cookie, json: await response.json() };
}

beforeAll(async () => {
  output = captureOutput();
  api = await startLocalApi({ port: 0, env: { ALLOWED_ORIGINS: OTHER_ORIGIN } });
});

afterAll(async () => {
  await api.close();
  clearCache();
  output.restore();
});

beforeEach(() => api.simulator?.reset());

describe('embedded defaults', () => {
  test('with no environment set: development issuer, offline simulator, the page origin allowed', () => {
    expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
    expect(api.pageUrl).toBe(`http://localhost:${api.port}`);
    expect(api.identity.mode).toBe('development');
    expect(api.upstream).toEqual({ mode: 'simulator', url: api.simulator?.url, version: '2025-04-16' });
    expect(api.config.allowedOrigins).toEqual([api.pageUrl, OTHER_ORIGIN]);
  });

  test('POST /local/id-token signs a Cognito-shaped ID token and says it is local only', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await fetch(`${api.url}/local/id-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bob', groups: ['staff', 'cartesia-agent'] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get(LOCAL_ONLY_HEADER)).toMatch(/not part of the deployed API/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { id_token } = await response.json();
    secrets.push(id_token);
    const claims = decodeJwt(id_token);
    expect(claims).toEqual({
      iss: `${api.pageUrl}/local`,
      aud: 'local-development-client',
      token_use: 'id',
      sub: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/),
      'cognito:username': 'bob',
      'cognito:groups': ['staff', 'cartesia-agent'],
      auth_time: expect.any(Number),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    // The same user keeps the same subject across sign-ins.
    expect(decodeJwt(await idToken(api, 'bob')).sub).toBe(claims.sub);
  });

  test('serves the issuer JWKS (public keys only)', async () => {
    const response = await fetch(`${api.url}/local/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const { keys } = await response.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: expect.any(String),
      n: expect.any(String),
    });
    expect(keys[0].d).toBeUndefined();
  });

  test.each([
    ['no user name', { groups: [] }],
    ['a user name with spaces', { username: 'a b' }],
    ['groups that are not strings', { username: 'a', groups: [1] }],
    ['unknown fields', { username: 'a', admin: true }],
    ['malformed JSON', '{"username":'],
  ])('refuses an ID token request with %s', async (_name, body) => {
    const response = await fetch(`${api.url}/local/id-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_request', message: expect.any(String) } });
  });
});

describe('POST /token through the API Gateway stand-in', () => {
  test('runs the real handler: a hardened cookie from the simulator, no token in the body', async () => {
    const response = await postToken(api, await idToken(api), { grants: { tts: true, stt: true }, expires_in: 90 });
    expect(response.status).toBe(200);
    expect(response.cookie).toMatch(
      /^__Host-cartesia_token=sim_tok_[\w-]+; Max-Age=90; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(response.json).toEqual({ grants: { tts: true, stt: true }, expires_in: 90, expires_at: expect.any(String) });
    expect(response.headers.get('access-control-allow-origin')).toBe(api.pageUrl);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    // Header values the handler leaves undefined never reach the client, as with API Gateway.
    expect(response.headers.get('server')).toBeNull();
    expect(api.simulator?.requests).toEqual([
      {
        keyAccepted: true,
        version: '2025-04-16',
        body: { grants: { tts: true, stt: true }, expires_in: 90 },
        status: 200,
      },
    ]);
  });

  test('accepts the ID token after "Bearer " too', async () => {
    expect((await postToken(api, `Bearer ${await idToken(api)}`)).status).toBe(200);
  });

  test('hands groups over as API Gateway does, and the grant policy reads them', async () => {
    const agent = await postToken(api, await idToken(api, 'carol', ['staff', 'cartesia-agent']), {
      grants: { agent: true },
    });
    expect(agent.status).toBe(200);
    const refused = await postToken(api, await idToken(api, 'dave', ['staff']), { grants: { agent: true } });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden_grant');
    expect(api.simulator?.requests).toHaveLength(1);
  });

  test('a second allowed origin gets its own CORS grant; a foreign origin gets none', async () => {
    const token = await idToken(api);
    const allowed = await postToken(api, token, undefined, { Origin: OTHER_ORIGIN });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(OTHER_ORIGIN);
    const foreign = await postToken(api, token, undefined, { Origin: FOREIGN_ORIGIN });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('the handler answers its own errors in the contract shape (validation, size)', async () => {
    const token = await idToken(api);
    const invalid = await postToken(api, token, { grants: { tts: true }, expires_in: 601 });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe('invalid_request');
    const large = await postToken(api, token, { grants: { tts: true }, pad: 'x'.repeat(5000) });
    expect(large.status).toBe(413);
    expect(api.simulator?.requests).toHaveLength(0);
  });

  test('upstream trouble is the handler’s: Cartesia 429s become a 429 with Retry-After', async () => {
    api.simulator?.inject(...[1, 2, 3].map(() => ({ kind: 'status' as const, status: 429 })));
    const response = await postToken(api, await idToken(api));
    expect(response.status).toBe(429);
    expect(response.json.error.code).toBe('throttled');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  test('DELETE /token expires the cookie', async () => {
    const response = await fetch(`${api.url}/token`, {
      method: 'DELETE',
      headers: { Authorization: await idToken(api), Origin: api.pageUrl },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toBe(
      '__Host-cartesia_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    );
    expect(response.headers.get('access-control-allow-origin')).toBe(api.pageUrl);
  });
});

describe('the Cognito authorizer stand-in', () => {
  const otherIssuerToken = async (claims: Record<string, unknown>) => {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'other' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  };
  const now = () => Math.floor(Date.now() / 1000);

  test.each<[string, () => Promise<string | undefined>]>([
    ['no Authorization header', async () => undefined],
    ['an empty Bearer value', async () => 'Bearer '],
    ['a malformed token', async () => 'not-a-jwt'],
    [
      'an expired token',
      () =>
        api.devIssuer?.issue({ username: 'alice', groups: [] }, { issuedAt: now() - 7200 }) ??
        Promise.resolve(undefined),
    ],
    [
      'a token signed with another key',
      async () => {
        const real = decodeJwt(await idToken(api));
        return otherIssuerToken({ ...real, iat: undefined, exp: undefined });
      },
    ],
    [
      'a token with a forged signature',
      async () => {
        const [header, payload] = (await idToken(api)).split('.');
        return `${header}.${payload}.${Buffer.from('forged').toString('base64url')}`;
      },
    ],
    [
      'an access token instead of an ID token',
      () =>
        api.devIssuer?.issue({ username: 'alice', groups: [] }, { tokenUse: 'access' }) ?? Promise.resolve(undefined),
    ],
  ])('%s is a 401 in the contract shape, with CORS headers, before the handler runs', async (_name, makeToken) => {
    const token = await makeToken();
    if (token) secrets.push(token);
    const response = await postToken(api, token);
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/ID token/) } });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBe(api.pageUrl);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.cookie).toBeUndefined();
    expect(api.simulator?.requests).toHaveLength(0);
  });

  test('DELETE /token needs an ID token too', async () => {
    const response = await fetch(`${api.url}/token`, { method: 'DELETE' });
    expect(response.status).toBe(401);
  });

  test('renders claims as API Gateway does: strings, "[a b]" arrays, Java dates for exp and iat', () => {
    expect(
      claimsAsStrings({
        sub: 'u-1',
        'cognito:groups': ['staff', 'cartesia-agent'],
        exp: 1_700_000_000,
        iat: 1_699_996_400,
        auth_time: 1_699_996_400,
        email_verified: true,
        address: { country: 'NZ' },
      }),
    ).toEqual({
      sub: 'u-1',
      'cognito:groups': '[staff cartesia-agent]',
      exp: 'Tue Nov 14 22:13:20 UTC 2023',
      iat: 'Tue Nov 14 21:13:20 UTC 2023',
      auth_time: '1699996400',
      email_verified: 'true',
      address: '{"country":"NZ"}',
    });
  });
});

describe('CORS preflight and routes', () => {
  const preflight = (origin: string, path = '/token') =>
    fetch(`${api.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });

  test('answers the preflight of an allowed origin, with credentials and without a wildcard', async () => {
    const response = await preflight(OTHER_ORIGIN);
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': OTHER_ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST,DELETE,OPTIONS',
      'access-control-allow-headers': 'Authorization,Content-Type',
      vary: 'Origin',
    });
  });

  test.each([FOREIGN_ORIGIN, 'http://127.0.0.1:5173', 'null'])('grants nothing to %s', async (origin) => {
    const response = await preflight(origin);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  test.each([
    ['GET', '/token'],
    ['PUT', '/token'],
    ['GET', '/nope'],
    ['POST', '/'],
    ['GET', '/../package.json'],
    ['GET', '/demo/../package.json'],
    ['GET', '/lambda/mint-token/app.ts'],
  ])('%s %s is a 404 in the contract shape', async (method, path) => {
    const response = await fetch(`${api.url}${path}`, { method, headers: { Origin: api.pageUrl } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect(response.headers.get('access-control-allow-origin')).toBe(api.pageUrl);
  });
});

describe('the demo page', () => {
  test('is served at / with a strict content security policy', async () => {
    const response = await fetch(`${api.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('src="/demo/demo.js"');
  });

  test.each(['/demo/demo.js', '/browser-client/token-session.js'])(
    'serves %s as transpiled JavaScript',
    async (path) => {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const code = await response.text();
      expect(code).not.toMatch(/:\s*(string|TokenSession|Grants)\b[;,)=]/);
      expect(code).toMatch(/createTokenSession/);
    },
  );
});

describe('switches to real parts by environment', () => {
  test('CARTESIA_API_KEY, CARTESIA_BASE_URL and CARTESIA_VERSION point the handler at another Cartesia', async () => {
    const key = 'sk_car_upstream_test_0123456789abcdef';
    const upstream: CartesiaSimulator = await startCartesiaSimulator({ apiKey: key });
    const real = await startLocalApi({
      env: { CARTESIA_API_KEY: key, CARTESIA_BASE_URL: upstream.url, CARTESIA_VERSION: '2026-03-01' },
    });
    try {
      expect(real.simulator).toBeUndefined();
      expect(real.upstream).toEqual({ mode: 'cartesia', url: upstream.url, version: '2026-03-01' });
      const response = await postToken(real, await idToken(real));
      expect(response.status).toBe(200);
      expect(upstream.requests).toEqual([
        { keyAccepted: true, version: '2026-03-01', body: { grants: { tts: true }, expires_in: 60 }, status: 200 },
      ]);

      // A key Cartesia refuses is the handler's 502, after one fresh read of the "secret".
      upstream.setApiKey('sk_car_rotated_elsewhere_0000000000');
      const refused = await postToken(real, await idToken(real));
      expect(refused.status).toBe(502);
      expect(refused.json.error.code).toBe('upstream_error');
    } finally {
      await real.close();
      await upstream.close();
    }
  });

  test('COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID switch to Cognito and remove the development issuer', async () => {
    const cognito = await startLocalApi({
      env: { COGNITO_USER_POOL_ID: 'us-east-1_Example01', COGNITO_CLIENT_ID: 'exampleclientid0123456789' },
    });
    try {
      expect(cognito.identity.mode).toBe('cognito');
      expect(cognito.identity.description).toContain('us-east-1_Example01');
      expect(cognito.devIssuer).toBeUndefined();
      const issue = await fetch(`${cognito.url}/local/id-token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'alice' }),
      });
      expect(issue.status).toBe(404);
      expect(issue.headers.get(LOCAL_ONLY_HEADER)).toBeNull();
      expect((await fetch(`${cognito.url}/local/.well-known/jwks.json`)).status).toBe(404);
      // Only tokens that fail before any key lookup: no test may contact Cognito.
      expect((await postToken(cognito, undefined)).status).toBe(401);
      expect((await postToken(cognito, 'not-a-jwt')).status).toBe(401);
      expect(cognito.simulator?.requests).toHaveLength(0);
    } finally {
      await cognito.close();
    }
  });

  test.each([
    [{ COGNITO_USER_POOL_ID: 'us-east-1_Example01' }, /COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID/],
    [{ CARTESIA_BASE_URL: 'http://127.0.0.1:9' }, /CARTESIA_API_KEY/],
    [{ ALLOWED_ORIGINS: 'https://app.example.com/path' }, /allowedOrigins/],
    [{ CARTESIA_API_KEY: 'k', CARTESIA_BASE_URL: 'http://api.example.com' }, /cartesiaBaseUrl: must use https/],
    [{ TOKEN_SERVICE_CONFIG: '{"maxExpiresIn": 99999}' }, /maxExpiresIn/],
  ])('refuses to start with %j, saying what to fix', async (env, message) => {
    const started = startLocalApi({ env });
    // Close it if it started after all, so that a failing test cannot keep jest alive.
    started.then((unexpected) => unexpected.close()).catch(() => undefined);
    await expect(started).rejects.toThrow(message);
  });

  test('CARTESIA_API_KEY alone points at Cartesia itself (not called here)', async () => {
    const real = await startLocalApi({ env: { CARTESIA_API_KEY: 'sk_car_never_sent_anywhere_0123' } });
    await real.close();
    expect(real.simulator).toBeUndefined();
    expect(real.upstream).toEqual({ mode: 'cartesia', url: 'https://api.cartesia.ai', version: '2025-04-16' });
  });

  test('keeps the development issuer off the network: only loopback hosts', async () => {
    await expect(startLocalApi({ host: '0.0.0.0', env: {} })).rejects.toThrow(/loopback only, not on 0\.0\.0\.0/);
  });

  test('TOKEN_SERVICE_CONFIG sets the other service options, as the stack would', async () => {
    const custom = await startLocalApi({
      env: { TOKEN_SERVICE_CONFIG: JSON.stringify({ cookieName: '__Host-voice', defaultExpiresIn: 30 }) },
    });
    try {
      const response = await postToken(custom, await idToken(custom));
      expect(response.cookie).toMatch(/^__Host-voice=sim_tok_[\w-]+; Max-Age=30;/);
    } finally {
      await custom.close();
    }
  });
});

describe('logs', () => {
  test('carry an audit line per mint and an unauthorized line per refusal, never a secret', () => {
    const text = output.text();
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    const lines = text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({ action: 'mint', status: 200, grants: ['tts', 'stt'] }),
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ message: 'unauthorized', reason: 'missing' }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'unauthorized', reason: 'JWTExpired' }));
  });
});
