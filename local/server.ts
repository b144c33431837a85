/**
 * The local API: the mint-token handler behind an API Gateway stand-in, with embedded
 * defaults for identity (a development issuer) and Cartesia (an offline simulator), and the
 * demo page at `/`. Tests, benchmarks and `npm start` all start it with {@link startLocalApi}.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { type CartesiaSimulator, startCartesiaSimulator } from '../cartesia-simulator/simulator';
import { createHandler } from '../lambda/mint-token/app';
import { describeIssues, isLoopbackHost, type ServiceConfig } from '../lambda/mint-token/config';
import { ApiError, toApiError } from '../lambda/mint-token/errors';
import { gatewayError } from '../lambda/mint-token/gateway-errors';
import { errorResponse, jsonResponse } from '../lambda/mint-token/responses';
import {
  claimsAsStrings,
  lambdaContext,
  PayloadTooLargeError,
  readBody,
  toProxyEvent,
  writeProxyResult,
} from './api-gateway-adapter';
import { corsHeaders, preflightHeaders } from './cors';
import { loadDemoAssets } from './demo-assets';
import { createDevIssuer, type DevIssuer } from './dev-issuer';
import { secretsClientReturning } from './environment-secrets-client';
import { cognitoIdTokenVerifier, type IdTokenVerifier, idTokenFromHeader } from './identity';
import { readLocalSettings } from './local-settings';

export const TOKEN_PATH = '/token';
export const ID_TOKEN_PATH = '/local/id-token';
export const JWKS_PATH = '/local/.well-known/jwks.json';
/** Marks answers of the development issuer, which exists only in the local API. */
export const LOCAL_ONLY_HEADER = 'X-Local-Only';
const LOCAL_ONLY_VALUE = 'development issuer: not part of the deployed API';
const DEV_AUDIENCE = 'local-development-client';
const STAGE = 'local';
const FUNCTION_NAME = 'mint-token-local';

export interface LocalApiOptions {
  /** @default 0 (any free port); `npm start` passes PORT or 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Where the settings come from (see README: CARTESIA_API_KEY, COGNITO_USER_POOL_ID, …). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The handler's logger. @default a JSON logger on stdout */
  readonly logger?: Logger;
}

export interface LocalApi {
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The demo page's URL, on `localhost`: the site the cookie belongs to. */
  readonly pageUrl: string;
  readonly port: number;
  /** The configuration the handler runs with. */
  readonly config: ServiceConfig;
  /** Who checks ID tokens. */
  readonly identity: IdTokenVerifier;
  /** The development issuer, when identity is in development mode. */
  readonly devIssuer?: DevIssuer;
  /** Where tokens are minted. */
  readonly upstream: { readonly mode: 'simulator' | 'cartesia'; readonly url: string; readonly version: string };
  /** The offline Cartesia stand-in, when no CARTESIA_API_KEY was given (faults can be injected). */
  readonly simulator?: CartesiaSimulator;
  close(): Promise<void>;
}

const idTokenRequestSchema = z.strictObject({
  username: z.string().check(z.regex(/^[\w.@+-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ @ + -')),
  groups: z._default(
    z
      .array(z.string().check(z.regex(/^[\w.@+-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ @ + -')))
      .check(z.maxLength(25)),
    [],
  ),
});

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The answer API Gateway itself would give (same table as the stack's gateway responses). */
function gatewayApiError(type: string, cors: Record<string, string>): ApiError {
  const { statusCode = 400, code, message, headers } = gatewayError(type);
  return new ApiError(statusCode, code, message, { ...headers, ...cors });
}

function hostnameOf(hostHeader: string | undefined): string {
  try {
    return new URL(`http://${hostHeader ?? ''}`).hostname;
  } catch {
    return '';
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
}

export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? new Logger({ serviceName: 'cartesia-token-vending-local' });
  // The gateway's own lines must not carry the Lambda context of the last invocation.
  const gatewayLogger = new Logger({ serviceName: 'cartesia-token-vending-local-gateway' });
  const settings = readLocalSettings(env);
  if (!settings.cognito && !isLoopbackHost(host)) {
    throw new Error(
      `The development issuer lets anyone sign in as anyone, so it listens on loopback only, not on ${host}. ` +
        'Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to listen elsewhere.',
    );
  }
  const assets = await loadDemoAssets();

  const server = createServer();
  const port = await listen(server, options.port ?? 0, host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const pageUrl = `http://localhost:${port}`;

  let simulator: CartesiaSimulator | undefined;
  const closeAll = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await simulator?.close();
  };

  try {
    let apiKey = settings.cartesiaApiKey;
    if (!apiKey) {
      apiKey = `sk_car_local_${randomBytes(16).toString('hex')}`;
      simulator = await startCartesiaSimulator({ apiKey });
    }
    const config = settings.serviceConfig({ pageOrigin: pageUrl, simulatorUrl: simulator?.url });
    const devIssuer = settings.cognito
      ? undefined
      : await createDevIssuer({ issuer: `${pageUrl}/local`, audience: DEV_AUDIENCE });
    const identity =
      devIssuer ?? cognitoIdTokenVerifier(settings.cognito?.userPoolId ?? '', settings.cognito?.clientId ?? '');
    const handler = createHandler({
      config,
      secretId: simulator ? 'local/simulator-key' : 'env:CARTESIA_API_KEY',
      secretsClient: secretsClientReturning(apiKey),
      logger,
    });

    /** What API Gateway's Cognito authorizer does: no valid ID token, no function call. */
    const authorize = async (request: IncomingMessage) => {
      const token = idTokenFromHeader(request.headers.authorization);
      if (!token) return { reason: 'missing' };
      try {
        return { claims: await identity.verify(token) };
      } catch (error) {
        return { reason: (error as Error).name };
      }
    };

    const tokenRoute = async (request: IncomingMessage, response: ServerResponse, cors: Record<string, string>) => {
      const body = await readBody(request);
      const { claims, reason } = await authorize(request);
      if (!claims) {
        // Why, for the developer; never the token itself.
        gatewayLogger.info('unauthorized', { reason, method: request.method, path: TOKEN_PATH });
        return writeProxyResult(response, errorResponse(gatewayApiError('UNAUTHORIZED', cors)));
      }
      const event = toProxyEvent({
        request,
        body,
        resource: TOKEN_PATH,
        stage: STAGE,
        claims: claimsAsStrings(claims),
      });
      writeProxyResult(response, await handler(event as never, lambdaContext(FUNCTION_NAME)));
    };

    const issueIdToken = async (issuer: DevIssuer, request: IncomingMessage, response: ServerResponse) => {
      // JSON only: a form or text/plain POST from another page cannot be sent without a preflight.
      if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
        throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
      }
      const parsed = idTokenRequestSchema.safeParse(parseJson(await readBody(request, 4096)));
      if (!parsed.success) throw new ApiError(400, 'invalid_request', describeIssues(parsed.error));
      const idToken = await issuer.issue(parsed.data);
      writeProxyResult(response, jsonResponse(200, { id_token: idToken }, { [LOCAL_ONLY_HEADER]: LOCAL_ONLY_VALUE }));
    };

    const route = async (request: IncomingMessage, response: ServerResponse) => {
      const method = request.method ?? 'GET';
      const { pathname } = new URL(request.url ?? '/', 'http://local');
      const cors = corsHeaders(request.headers.origin, config.allowedOrigins);
      try {
        // DNS rebinding: a page on attacker.example that resolves to 127.0.0.1 must not reach the
        // development issuer (or, through it, the key). Browsers always send the name they used.
        if (devIssuer && !isLoopbackHost(hostnameOf(request.headers.host))) {
          throw new ApiError(400, 'invalid_request', 'This local API answers only requests addressed to localhost.');
        }
        if (method === 'OPTIONS') {
          return writeProxyResult(response, {
            statusCode: 204,
            headers: preflightHeaders(request.headers.origin, config.allowedOrigins),
            body: '',
          });
        }
        if (pathname === TOKEN_PATH && (method === 'POST' || method === 'DELETE')) {
          return await tokenRoute(request, response, cors);
        }
        if (devIssuer && pathname === ID_TOKEN_PATH && method === 'POST') {
          return await issueIdToken(devIssuer, request, response);
        }
        if (devIssuer && pathname === JWKS_PATH && method === 'GET') {
          return writeProxyResult(
            response,
            jsonResponse(200, devIssuer.jwks, { [LOCAL_ONLY_HEADER]: LOCAL_ONLY_VALUE }),
          );
        }
        const asset = method === 'GET' ? assets.get(pathname) : undefined;
        if (asset) {
          response.writeHead(200, asset.headers);
          return response.end(asset.body);
        }
        throw gatewayApiError('MISSING_AUTHENTICATION_TOKEN', cors);
      } catch (error) {
        const apiError =
          error instanceof PayloadTooLargeError ? gatewayApiError('REQUEST_TOO_LARGE', cors) : toApiError(error);
        if (apiError.statusCode >= 500) gatewayLogger.error('request failed', { name: (error as Error).name });
        if (!response.headersSent) writeProxyResult(response, errorResponse(apiError));
      }
    };
    server.on('request', route);

    return {
      url,
      pageUrl,
      port,
      config,
      identity,
      devIssuer,
      upstream: {
        mode: simulator ? 'simulator' : 'cartesia',
        url: config.cartesiaBaseUrl,
        version: config.cartesiaVersion,
      },
      simulator,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
