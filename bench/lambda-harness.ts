/**
 * What the bench's child processes share: how they load a Lambda bundle, how Secrets Manager
 * is replaced at the SDK boundary (aws-sdk-client-mock, never AWS), and the request they send.
 */
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { apiEvent, lambdaContext } from '../test/support/api-event';

/** Where the parent tells a child which bundle to load and which (made-up) key the secret holds. */
export const BUNDLE_ENV = 'BENCH_BUNDLE';
export const API_KEY_ENV = 'BENCH_CARTESIA_API_KEY';
export const SECRET_ID = 'cartesia/api-key';

/** The request every mint sends: the contract's example. */
export const MINT_BODY = { grants: { tts: true }, expires_in: 60 };

export interface LambdaModule {
  handler(event: unknown, context: Context): Promise<APIGatewayProxyResult>;
}

export function childInput(): { bundle: string; apiKey: string } {
  const bundle = process.env[BUNDLE_ENV];
  const apiKey = process.env[API_KEY_ENV];
  if (!bundle || !apiKey) throw new Error(`${BUNDLE_ENV} and ${API_KEY_ENV} must be set`);
  return { bundle, apiKey };
}

export const importBundle = (file: string): Promise<LambdaModule> => import(pathToFileURL(file).href);

/**
 * Makes every GetSecretValue answer with `apiKey`; returns a counter of those calls.
 * Imported after the bundle so the SDK's load time counts as the bundle's, as in Lambda.
 */
export async function mockSecretsManager(apiKey: string): Promise<() => number> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { mockClient } = await import('aws-sdk-client-mock');
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(GetSecretValueCommand).resolves({ SecretString: apiKey });
  return () => secrets.commandCalls(GetSecretValueCommand).length;
}

/**
 * Prepares one `POST /token` as API Gateway hands it over (building the event is the runtime's
 * work, not the function's) and returns the call to time; it throws unless the answer is 200.
 */
export function prepareMint(module: LambdaModule): () => Promise<void> {
  const event = apiEvent({ body: MINT_BODY });
  const context = lambdaContext();
  return async () => {
    const response = await module.handler(event, context);
    if (response.statusCode !== 200) throw new Error(`mint answered ${response.statusCode}`);
  };
}

/** Hands a result to the parent over IPC (stdout belongs to the function's logs) and ends. */
export function report(message: object): void {
  if (!process.send) throw new Error('run me from the bench: no IPC channel');
  process.send(message, () => process.exit(0));
}
