/**
 * A Secrets-Manager-shaped client that answers every GetSecretValue with one value. The
 * local API hands it to the real @middy/secrets-manager middleware: AWS is replaced at the
 * SDK boundary, and the secret parsing, caching and key refresh code still runs.
 */
import type { HandlerOptions } from '../lambda/mint-token/app';

export function secretsClientReturning(secretString: string): NonNullable<HandlerOptions['secretsClient']> {
  class FixedSecretsClient {
    async send() {
      return { SecretString: secretString };
    }
  }
  return FixedSecretsClient as unknown as NonNullable<HandlerOptions['secretsClient']>;
}
