/**
 * The mint-token pipeline wired as the hostile suites use it: real HTTP to the Cartesia
 * stand-in on 127.0.0.1, Secrets Manager replaced at the SDK boundary, every line the process
 * writes captured, and every response handed to a {@link LeakScanner}.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clearCache } from '@middy/util';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { type CartesiaSimulator, startCartesiaSimulator } from '../../cartesia-simulator/simulator';
import { createHandler } from '../../lambda/mint-token/app';
import { parseServiceConfig, type ServiceConfig, type ServiceConfigInput } from '../../lambda/mint-token/config';
import { APP_ORIGIN, apiEvent, lambdaContext } from '../support/api-event';
import { captureOutput, type OutputCapture } from '../support/output-capture';
import { LeakScanner } from './leak-scanner';
import type { ClientRequest } from './request-oracle';

export const SECRET_ID = 'cartesia/api-key';
export const newApiKey = () => `sk_car_${randomBytes(16).toString('hex')}`;
export const TOKEN_COOKIE = /^__Host-cartesia_token=([^;]*)/;

/** An API Gateway REST proxy event for a client request: single-value headers keep the last value. */
export function toEvent(request: ClientRequest): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of request.headers) {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const event = apiEvent({
    method: request.method,
    body: request.body ?? undefined,
    headers,
    claims: request.claims as Record<string, string> | null,
    isBase64Encoded: request.isBase64Encoded,
  });
  return { ...event, multiValueHeaders };
}

export interface Harness {
  readonly simulator: CartesiaSimulator;
  readonly secrets: AwsClientStub<SecretsManagerClient>;
  readonly scanner: LeakScanner;
  readonly output: OutputCapture;
  apiKey: string;
  config(overrides?: Partial<ServiceConfigInput>): ServiceConfig;
  handler(config?: ServiceConfig): ReturnType<typeof createHandler>;
  /** Sends one event; the response goes to the scanner and an issued token to its secrets. */
  send(
    handler: ReturnType<typeof createHandler>,
    event: APIGatewayProxyEvent,
    where: string,
  ): Promise<APIGatewayProxyResult>;
  secretReads(): number;
  /** Leaks in everything sent back and everything written so far. */
  leaks(): ReturnType<LeakScanner['findLeaks']>;
  /** A new key in the secret and at the stand-in; cache cleared, recorded calls forgotten. */
  reset(): void;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const output = captureOutput();
  const scanner = new LeakScanner();
  const simulator = await startCartesiaSimulator({ apiKey: 'unset' });
  const secrets = mockClient(SecretsManagerClient);
  let sent = 0;

  const harness: Harness = {
    simulator,
    secrets,
    scanner,
    output,
    apiKey: '',
    config: (overrides = {}) =>
      parseServiceConfig({
        allowedOrigins: [APP_ORIGIN],
        cartesiaBaseUrl: simulator.url,
        upstreamAttemptTimeoutMs: 300,
        upstreamDeadlineMs: 1200,
        ...overrides,
      }),
    handler: (config = harness.config()) => createHandler({ config, secretId: SECRET_ID }),
    send: async (handler, event, where) => {
      sent++;
      for (const [name, value] of Object.entries(event.headers ?? {})) {
        if (/^(authorization|cookie)$/i.test(name) && value) scanner.secret(`${name} value sent in ${where}`, value);
      }
      const response = await handler(event as never, lambdaContext());
      const token = String(response.headers?.['Set-Cookie'] ?? '').match(TOKEN_COOKIE)?.[1];
      scanner.secret(`token issued in ${where}`, token);
      scanner.response(`response #${sent} (${where})`, response);
      return response;
    },
    secretReads: () => secrets.commandCalls(GetSecretValueCommand).length,
    leaks: () => {
      scanner.output('stdout, stderr and console', output.text());
      return scanner.findLeaks();
    },
    reset: () => {
      clearCache();
      secrets.reset();
      harness.apiKey = newApiKey();
      scanner.secret('API key', harness.apiKey);
      simulator.setApiKey(harness.apiKey);
      simulator.reset();
      secrets.on(GetSecretValueCommand).resolves({ SecretString: harness.apiKey });
    },
    close: async () => {
      await simulator.close();
      clearCache();
      secrets.restore();
      output.restore();
    },
  };
  harness.reset();
  return harness;
}
