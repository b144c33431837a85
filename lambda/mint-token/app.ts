/**
 * The middy pipeline of the mint-token function, shared by the Lambda handler and the
 * local API. Wiring only: each step is a library middleware or one of ./middleware.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import httpCors, { type Options as HttpCorsOptions } from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import secretsManager from '@middy/secrets-manager';
import { clearCache } from '@middy/util';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { apiKeyFromSecret, PUT_KEY_HINT } from './api-key';
import { SECRET_READ, type ServiceConfig } from './config';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS } from './cors-policy';
import { ApiError } from './errors';
import {
  auditLog,
  bodySizeLimit,
  errorResponder,
  requireCaller,
  requireJsonMediaType,
  type TokenEvent,
  tokenRequestValidator,
} from './middleware';
import { mintToken, revokeToken } from './routes';
import type { TokenRequest } from './token-request';

export interface HandlerOptions {
  readonly config: ServiceConfig;
  /** Name or ARN of the secret that holds the Cartesia API key. */
  readonly secretId: string;
  /** Secrets Manager client class; the local API swaps in one that reads an environment variable. */
  readonly secretsClient?: new (
    options: object,
  ) => Pick<SecretsManagerClient, 'send'>;
  readonly logger?: Logger;
}

const SECRET_CACHE_KEY = 'cartesia-api-key';

type TokenContext = Context & { cartesiaSecret?: unknown };

export function createHandler({ config, secretId, secretsClient, logger = new Logger() }: HandlerOptions) {
  const secrets = secretsManager({
    ...(secretsClient ? { AwsClient: secretsClient as never } : {}),
    awsClientOptions: {
      maxAttempts: SECRET_READ.maxAttempts,
      requestHandler: {
        connectionTimeout: SECRET_READ.connectionTimeoutMs,
        requestTimeout: SECRET_READ.requestTimeoutMs,
      },
    },
    fetchData: { cartesiaSecret: secretId },
    setToContext: true,
    cacheKey: SECRET_CACHE_KEY,
    cacheExpiry: config.secretCacheSeconds * 1000,
    // Fetch on first use: a failed fetch at import would crash the container with an unhandled rejection.
    disablePrefetch: true,
  });

  const mint = middy<TokenEvent, APIGatewayProxyResult, Error, TokenContext>()
    .use(bodySizeLimit(config.maxBodyBytes))
    .use(requireJsonMediaType())
    // The media type is checked above (the parser's own check is case-sensitive); the option exists
    // in @middy/http-json-body-parser 6 but is missing from its type definitions.
    .use(httpJsonBodyParser({ disableContentTypeCheck: true } as Parameters<typeof httpJsonBodyParser>[0]))
    .use(tokenRequestValidator(config))
    .use(secrets)
    .handler((event, context) => {
      const readKey = async (fresh: boolean) => {
        if (fresh) {
          // Cartesia refused the key: it may have been rotated, so read the secret again.
          clearCache([SECRET_CACHE_KEY]);
          await secrets.before?.({ event, context, response: null, error: null, internal: {} } as never);
        }
        try {
          return apiKeyFromSecret(context.cartesiaSecret);
        } catch (error) {
          logger.error(`The Cartesia API key is missing from secret ${secretId}. ${PUT_KEY_HINT}`);
          throw error;
        }
      };
      return mintToken(config, event.body as unknown as TokenRequest, readKey);
    });

  const routes: Record<string, (event: TokenEvent, context: TokenContext) => Promise<APIGatewayProxyResult>> = {
    POST: (event, context) => mint(event as never, context as never),
    DELETE: async () => revokeToken(config),
  };

  return (
    middy<TokenEvent, APIGatewayProxyResult, Error, TokenContext>()
      .use(injectLambdaContext(logger))
      .use(httpHeaderNormalizer())
      // No reporting endpoint is configured: without this the middleware sends an empty Reporting-Endpoints header.
      .use(httpSecurityHeaders({ reportingEndpoints: false } as never))
      .use(
        httpCors({
          origins: config.allowedOrigins,
          // The middleware looks origins up in a plain object, so `Origin: constructor` would be echoed.
          getOrigin: (origin: string | undefined) =>
            origin !== undefined && config.allowedOrigins.includes(origin) ? origin : null,
          credentials: true,
          headers: CORS_ALLOW_HEADERS.join(','),
          methods: CORS_ALLOW_METHODS.join(','),
          // The middleware adds `Vary: Origin` itself only when several origins are allowed;
          // caches must key on Origin in every case.
          ...(config.allowedOrigins.length === 1 ? { vary: 'Origin' } : {}),
        } as HttpCorsOptions),
      )
      .use(auditLog(logger))
      .use(errorResponder(logger))
      .handler((event, context) => {
        // Own keys only: a method named `constructor` or `__proto__` must not find Object's.
        const route = Object.hasOwn(routes, event.httpMethod) ? routes[event.httpMethod] : undefined;
        if (!route)
          throw new ApiError(405, 'method_not_allowed', 'Use POST or DELETE on /token.', { Allow: 'POST, DELETE' });
        requireCaller(event);
        return route(event, context);
      })
  );
}
