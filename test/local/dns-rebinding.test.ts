/**
 * The development issuer signs an ID token for anyone who asks, so only pages on this machine
 * may ask: a page on another name that resolves to 127.0.0.1 (DNS rebinding) is refused, and
 * so is a body a cross-site form could send without a preflight.
 */
import { request } from 'node:http';
import { clearCache } from '@middy/util';
import { type LocalApi, startLocalApi } from '../../local/server';
import { captureOutput, type OutputCapture } from '../support/output-capture';

let api: LocalApi;
let output: OutputCapture;

function post(path: string, host: string, contentType: string, body: string) {
  return new Promise<{ status: number; json: { error?: { code: string }; id_token?: string } }>((resolve, reject) => {
    const req = request(
      `${api.url}${path}`,
      {
        method: 'POST',
        headers: { Host: host, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const signIn = JSON.stringify({ username: 'mallory', groups: ['cartesia-agent'] });

beforeAll(async () => {
  output = captureOutput();
  api = await startLocalApi({ port: 0, env: {} });
});

afterAll(async () => {
  await api.close();
  clearCache();
  output.restore();
});

test.each(['localhost', '127.0.0.1', '[::1]'])('a request addressed to %s gets an ID token', async (name) => {
  const response = await post('/local/id-token', `${name}:${api.port}`, 'application/json', signIn);
  expect(response.status).toBe(200);
  expect(typeof response.json.id_token).toBe('string');
});

test.each(['rebind.attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.example'])(
  'a request addressed to %j is refused before the issuer or the handler runs',
  async (name) => {
    for (const path of ['/local/id-token', '/token']) {
      const response = await post(path, `${name}:${api.port}`, 'application/json', signIn);
      expect({ path, status: response.status, code: response.json.error?.code }).toEqual({
        path,
        status: 400,
        code: 'invalid_request',
      });
      expect(response.json.id_token).toBeUndefined();
    }
  },
);

test.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
  'the issuer refuses %s bodies (no preflight guards them)',
  async (contentType) => {
    const response = await post('/local/id-token', `localhost:${api.port}`, contentType, signIn);
    expect(response.status).toBe(415);
    expect(response.json.error?.code).toBe('unsupported_media_type');
  },
);
