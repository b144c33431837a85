/**
 * The same hostile requests over real HTTP to the local API (API Gateway stand-in + the real
 * handler): raw bytes on the wire, duplicated headers, real ID tokens from the development
 * issuer. Each must get a 4xx in the contract's shape, no cookie, no call to Cartesia.
 */
import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { type LocalApi, startLocalApi } from '../../local/server';
import { APP_ORIGIN } from '../support/api-event';
import { captureOutput, type OutputCapture } from '../support/output-capture';
import { hostileRequests, secretsSentBy } from './hostile-requests';
import { LeakScanner } from './leak-scanner';
import { type ClientRequest, contractErrors, ERROR_CODES, headerValue } from './request-oracle';

const HOSTILE_RUNS = 1_000;
/** Methods Node's HTTP parser accepts that the local API does not serve on /token. */
const HTTP_METHODS = ['GET', 'PUT', 'PATCH', 'PROPFIND', 'MERGE'];
/** Groups that look like the agent group and are not. */
const LOOKALIKE_GROUPS = ['cartesia_agent', 'Cartesia-Agent', 'cartesia', 'agent', 'staff'];

let api: LocalApi;
let output: OutputCapture;
let idToken: string;
const scanner = new LeakScanner();
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(request: ClientRequest, bytes: Buffer): Promise<HttpAnswer> {
  const url = new URL('/token', api.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: request.method,
        agent,
        // Raw pairs keep duplicates and order; with raw headers Node adds no framing of its own.
        headers: [
          ...request.headers.flat(),
          'Host',
          url.host,
          'Content-Length',
          String(bytes.length),
        ] as unknown as Record<string, string>,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(bytes);
  });
}

/**
 * The request as it can travel over HTTP: a real ID token for a signed-in caller (a user whose
 * groups only look like the agent group), none or a forged one for the rest. Returns what the
 * function will see, for the oracle: the body as UTF-8 text, claims as the issuer minted them.
 */
function overHttp(request: ClientRequest): { wire: ClientRequest; seen: ClientRequest; bytes: Buffer } {
  const signedIn = typeof request.claims?.sub === 'string' && request.claims.sub.trim() !== '';
  const authorization = signedIn
    ? [['Authorization', `Bearer ${idToken}`] as const]
    : request.claims === null
      ? []
      : [['Authorization', 'Bearer forged.not-a.jwt'] as const];
  const headers = [...request.headers.filter(([name]) => name.toLowerCase() !== 'authorization'), ...authorization];
  const bytes =
    request.body === null
      ? Buffer.alloc(0)
      : request.isBase64Encoded
        ? Buffer.from(request.body, 'base64')
        : Buffer.from(request.body);
  const wire = { ...request, headers };
  const seen: ClientRequest = {
    ...wire,
    body: bytes.length ? bytes.toString('utf8') : null,
    isBase64Encoded: false,
    claims: signedIn ? { sub: 'from-the-issuer', 'cognito:groups': `[${LOOKALIKE_GROUPS.join(' ')}]` } : null,
  };
  return { wire, seen, bytes };
}

beforeAll(async () => {
  output = captureOutput();
  api = await startLocalApi({ env: { ALLOWED_ORIGINS: APP_ORIGIN } });
  const response = await fetch(`${api.url}/local/id-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'mallory', groups: LOOKALIKE_GROUPS }),
  });
  idToken = (await response.json()).id_token;
  scanner.secret('ID token', idToken);
});

afterAll(async () => {
  agent.destroy();
  await api.close();
  output.restore();
});

test(`${HOSTILE_RUNS} generated hostile requests over HTTP each get a contract 4xx, no cookie, no upstream call`, async () => {
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(hostileRequests(api.config, HTTP_METHODS), async ({ request }) => {
      const { wire, seen, bytes } = overHttp(request);
      const allowed = contractErrors(seen, api.config);
      if (allowed.has(405)) allowed.add(404); // the stand-in, like API Gateway, has no route for other methods
      // A signed-in caller now has a real token and lookalike groups: what remains may be valid.
      fc.pre(allowed.size > 0);
      for (const value of secretsSentBy(wire)) scanner.secret('credential sent', value);

      const answer = await send(wire, bytes);
      scanner.output('response body', answer.body);
      for (const [name, value] of Object.entries(answer.headers)) scanner.output(`header ${name}`, `${name}: ${value}`);

      if (!allowed.has(answer.status)) throw new Error(`got ${answer.status} ${answer.body}, allowed ${[...allowed]}`);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['set-cookie']).toBeUndefined();
      const body = JSON.parse(answer.body);
      expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      expect(ERROR_CODES[answer.status] ?? ['not_found']).toContain(body.error.code);
      const allowOrigin = answer.headers['access-control-allow-origin'];
      if (allowOrigin !== undefined) {
        expect(allowOrigin).toBe(APP_ORIGIN);
        expect(headerValue(wire, 'origin')).toBe(APP_ORIGIN);
      }
      checked++;
    }),
    { numRuns: HOSTILE_RUNS },
  );
  expect(checked).toBeGreaterThanOrEqual(HOSTILE_RUNS * 0.9);
  expect(api.simulator?.requests).toHaveLength(0);
});

test('nothing the local API wrote or answered holds the ID token, a credential sent or a key', () => {
  scanner.output('stdout, stderr and console', output.text());
  expect(scanner.secretCount).toBeGreaterThan(100);
  expect(scanner.findLeaks()).toEqual([]);
});
