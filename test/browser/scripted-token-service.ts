/**
 * A token endpoint on 127.0.0.1 that answers from a script, for the browser client's unit
 * tests: real HTTP, every request recorded with its arrival time.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ScriptedReply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** Close the connection without an answer. */
  | { readonly reset: true }
  /** Never answer. */
  | { readonly hang: true };

export interface RecordedRequest {
  readonly method: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
  /** Arrival time, ms since the epoch. */
  readonly at: number;
}

export interface ScriptedTokenService {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replies for the next requests, in order; afterwards each POST is granted as asked. */
  script(...replies: ScriptedReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export const errorReply = (status: number, code: string, headers: Record<string, string> = {}): ScriptedReply => ({
  status,
  headers,
  body: { error: { code, message: `scripted ${code}` } },
});

const DEFAULT_EXPIRES_IN = 60;

export async function startScriptedTokenService(): Promise<ScriptedTokenService> {
  const replies: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      requests.push({
        method: request.method ?? '',
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body,
        at: Date.now(),
      });
      const reply = replies.shift();
      if (reply && 'reset' in reply) return request.socket.destroy();
      if (reply && 'hang' in reply) return;
      if (reply) return send(response, reply.status, reply.body, reply.headers);
      if (request.method === 'DELETE') return send(response, 204, undefined);
      const expiresIn = body?.expires_in ?? DEFAULT_EXPIRES_IN;
      const grants = Object.fromEntries(Object.entries(body?.grants ?? {}).filter(([, wanted]) => wanted === true));
      send(response, 200, {
        grants,
        expires_in: expiresIn,
        expires_at: new Date(Date.now() + expiresIn * 1000).toISOString(),
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    requests,
    script: (...more) => {
      replies.push(...more);
    },
    reset: () => {
      replies.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
