/**
 * The cold-start baseline: the least a function that reads a secret must load. It constructs
 * the Secrets Manager client and answers; everything our function adds is measured against it.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({});

export async function handler() {
  return { statusCode: 200, body: JSON.stringify({ ready: secrets !== undefined }) };
}
