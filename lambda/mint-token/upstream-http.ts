/**
 * One HTTPS POST over a kept-alive connection. node:http rather than fetch: the runtime has
 * already loaded it for the AWS SDK, while fetch loads undici on first use (~25 ms of cold
 * start) and costs more per request (docs/performance.md).
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** The whole exchange, body included, took longer than allowed. */
export class UpstreamTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Answers larger than this are not a token: stop reading rather than buffer them. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

export function postJson(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(
      url,
      {
        method: 'POST',
        agent: agents[url.protocol as keyof typeof agents],
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy();
            settle(() => reject(new Error('upstream answer too large')));
          } else {
            chunks.push(chunk);
          }
        });
        response.on('end', () =>
          settle(() =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
        response.on('error', (error) => settle(() => reject(error)));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      settle(() => reject(new UpstreamTimeoutError(`no complete answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    request.on('error', (error) => settle(() => reject(error)));
    request.end(body);
  });
}
