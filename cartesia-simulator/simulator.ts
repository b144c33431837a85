/**
 * An offline stand-in for Cartesia's `POST /access-token`, for tests, benchmarks and the
 * local API. It checks what Cartesia checks (Bearer key, Cartesia-Version, body shape,
 * expires_in ≤ 3600) and can be told to misbehave, one reply at a time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const SIMULATED_TOKEN_PREFIX = 'sim_tok_';
const KNOWN_VERSIONS = new Set(['2024-06-10', '2024-11-13', '2025-04-16', '2026-03-01']);
const GRANT_NAMES = new Set(['tts', 'stt', 'agent']);
const MAX_EXPIRES_IN = 3600;

/** One reply that differs from a correct answer. */
export type Fault =
  /** Answer with this status (and headers and body). */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
    }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' }
  /** Answer correctly, after a delay before the headers. */
  | { readonly kind: 'slow-headers'; readonly delayMs: number }
  /** Send the headers at once and the body after a delay. */
  | { readonly kind: 'slow-body'; readonly delayMs: number }
  /** Close the connection without an answer. */
  | { readonly kind: 'reset' }
  /** Answer 200 with this raw body. */
  | { readonly kind: 'body'; readonly body: string };

export interface RecordedRequest {
  readonly keyAccepted: boolean;
  readonly version: string | undefined;
  readonly body: unknown;
  readonly status: number | 'none';
}

export interface CartesiaSimulator {
  readonly url: string;
  /** Every request to /access-token, in order. */
  readonly requests: RecordedRequest[];
  /** TCP connections accepted since start. */
  readonly connections: () => number;
  /** The key it accepts from now on. */
  setApiKey(key: string): void;
  /** Replies to use, in order, for the next requests. */
  inject(...faults: Fault[]): void;
  /** Forgets recorded requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  readonly apiKey: string;
  readonly port?: number;
  readonly host?: string;
}

function validationError(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { grants, expires_in, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length) return `unknown fields: ${Object.keys(rest).join(', ')}`;
  if (typeof grants !== 'object' || grants === null || Array.isArray(grants)) return 'grants must be an object';
  for (const [name, value] of Object.entries(grants)) {
    if (!GRANT_NAMES.has(name) || typeof value !== 'boolean') return `invalid grant ${name}`;
  }
  if (
    expires_in !== undefined &&
    (!Number.isInteger(expires_in) || (expires_in as number) < 1 || (expires_in as number) > MAX_EXPIRES_IN)
  ) {
    return `expires_in must be an integer from 1 to ${MAX_EXPIRES_IN}`;
  }
  return undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

export async function startCartesiaSimulator(options: SimulatorOptions): Promise<CartesiaSimulator> {
  let apiKey = options.apiKey;
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

  const answer = (response: ServerResponse) =>
    json(response, 200, { token: SIMULATED_TOKEN_PREFIX + randomBytes(24).toString('base64url') });

  const server = createServer(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/access-token') {
      json(response, 404, { error: 'not found' });
      return;
    }
    const text = await readBody(request);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const keyAccepted = request.headers.authorization === `Bearer ${apiKey}`;
    const version = request.headers['cartesia-version'] as string | undefined;
    const record = (status: number | 'none') => requests.push({ keyAccepted, version, body, status });

    if (!keyAccepted) {
      record(401);
      json(response, 401, { error: 'invalid api key' });
      return;
    }
    if (!version || !KNOWN_VERSIONS.has(version)) {
      record(400);
      json(response, 400, { error: 'missing or unknown Cartesia-Version header' });
      return;
    }
    const problem = validationError(body);
    if (problem) {
      record(400);
      json(response, 400, { error: problem });
      return;
    }

    const fault = faults.shift();
    switch (fault?.kind) {
      case undefined:
        record(200);
        answer(response);
        return;
      case 'status':
        record(fault.status);
        response.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
        response.end(fault.body ?? JSON.stringify({ error: 'simulated failure' }));
        return;
      case 'hang':
        record('none');
        return;
      case 'slow-headers':
        record(200);
        setTimeout(() => !response.destroyed && answer(response), fault.delayMs);
        return;
      case 'slow-body':
        record(200);
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.flushHeaders();
        setTimeout(
          () => !response.destroyed && response.end(JSON.stringify({ token: `${SIMULATED_TOKEN_PREFIX}slow` })),
          fault.delayMs,
        );
        return;
      case 'reset':
        record('none');
        request.socket.destroy();
        return;
      case 'body':
        record(200);
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(fault.body);
        return;
    }
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    setApiKey: (key) => {
      apiKey = key;
    },
    inject: (...more) => {
      faults.push(...more);
    },
    reset: () => {
      faults.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
