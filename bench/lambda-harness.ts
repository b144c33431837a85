/**
 * What the bench's child processes share: how they load a Lambda bundle, how Secrets Manager
 * is replaced at the SDK boundary (aws-sdk-client-mock, never AWS), and the request they send.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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
 * Assumption (not measurable offline): a same-region GetSecretValue from Lambda, over the SDK's
 * kept-alive connection, answers in about this long. The warm measurement's mock waits this long,
 * so a handler that reads the secret on every request pays what it would in AWS.
 */
export const SECRET_READ_LATENCY_MS = 15;

/**
 * Makes every GetSecretValue answer with `apiKey`, after `latencyMs`; returns a counter of those
 * calls. Imported after the bundle so the SDK's load time counts as the bundle's, as in Lambda.
 */
export async function mockSecretsManager(apiKey: string, latencyMs = 0): Promise<() => number> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { mockClient } = await import('aws-sdk-client-mock');
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(GetSecretValueCommand).callsFake(async () => {
    if (latencyMs > 0) await sleep(latencyMs);
    return { SecretString: apiKey };
  });
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
