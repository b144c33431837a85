/**
 * What API Gateway (REST API, Lambda proxy integration) does around the function, for the
 * local API: a Node request becomes a proxy event, the Cognito authorizer's claims become
 * strings, and the proxy result becomes the HTTP response. No token logic lives here.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** API Gateway refuses larger payloads before any code runs. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export class PayloadTooLargeError extends Error {
  name = 'PayloadTooLargeError';
}

/** Reads the request body, refusing more than API Gateway would accept. */
export function readBody(request: IncomingMessage, maxBytes = API_GATEWAY_MAX_PAYLOAD_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new PayloadTooLargeError(`more than ${maxBytes} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `exp` and `iat` reach the function as Java's Date#toString in UTC, e.g. "Thu Dec 04 19:53:00 UTC 2025". */
function javaDateString(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

/**
 * The claims of a verified ID token as the Cognito authorizer hands them to the function:
 * every value a string; arrays such as `cognito:groups` as "[a b]"; `exp`/`iat` as dates.
 */
export function claimsAsStrings(claims: Record<string, unknown>): Record<string, string> {
  const render = (name: string, value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `[${value.map(String).join(' ')}]`;
    if (typeof value === 'number' && (name === 'exp' || name === 'iat')) return javaDateString(value);
    if (typeof value === 'object' && value !== null) return JSON.stringify(value);
    return String(value);
  };
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, render(name, value)]));
}

/** Headers with the casing the client sent: single values keep the last one, as API Gateway does. */
function headersOf(request: IncomingMessage) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const [name, value] = [request.rawHeaders[i], request.rawHeaders[i + 1]];
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

function queryOf(url: URL) {
  if (!url.search) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { single, multi };
}

export interface ProxyEventInput {
  readonly request: IncomingMessage;
  readonly body: Buffer;
  /** The resource the request matched, e.g. `/token`. */
  readonly resource: string;
  readonly stage: string;
  /** Claims of the verified ID token, already rendered as strings. */
  readonly claims: Record<string, string>;
}

/** The REST API proxy event API Gateway would send for this request. */
export function toProxyEvent({ request, body, resource, stage, claims }: ProxyEventInput): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://local');
  const { headers, multiValueHeaders } = headersOf(request);
  const query = queryOf(url);
  const method = request.method ?? 'GET';
  return {
    resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: null,
    stageVariables: null,
    // Without binary media types configured, API Gateway passes the body as text.
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: { claims },
      domainName: request.headers.host ?? 'localhost',
      httpMethod: method,
      path: `/${stage}${url.pathname}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: randomUUID(),
      requestTime: new Date().toUTCString(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
      stage,
      identity: { sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: request.headers['user-agent'] },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/** A Lambda context for one invocation, with the timeout API Gateway allows at most. */
export function lambdaContext(functionName: string, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Writes a proxy result as API Gateway does: `headers` and `multiValueHeaders` are merged
 * (several Set-Cookie lines need the latter), a base64 body is decoded. Headers whose value is
 * undefined never reach API Gateway: the runtime's JSON serialisation drops them.
 */
export function writeProxyResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const merged = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    const entry = merged.get(name.toLowerCase()) ?? { name, values: [] };
    if (!entry.values.includes(String(value))) entry.values.push(String(value));
    merged.set(name.toLowerCase(), entry);
  };
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) for (const v of values) add(name, v);
  for (const [name, value] of Object.entries(result.headers ?? {})) add(name, value);
  for (const { name, values } of merged.values()) response.setHeader(name, values.length === 1 ? values[0] : values);
  response.statusCode = result.statusCode;
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}
