/**
 * The obvious implementation, for comparison only: it reads the secret on every request and
 * opens a new connection to Cartesia each time (no keep-alive agent, as Node's http module
 * does unless told otherwise). Happy path only; it shares our config, key and cookie code so
 * that the difference measured is the per-request work, not the formatting.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiKeyFromSecret } from '../lambda/mint-token/api-key';
import { fromFunctionEnvironment } from '../lambda/mint-token/config';
import { jsonResponse } from '../lambda/mint-token/responses';
import { tokenCookie } from '../lambda/mint-token/token-cookie';

const { config, secretId } = fromFunctionEnvironment(process.env);
const secrets = new SecretsManagerClient({});

function post(url: URL, headers: Record<string, string>, body: string): Promise<string> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function handler(event: APIGatewayProxyEvent) {
  const { grants, expires_in: expiresIn = config.defaultExpiresIn } = JSON.parse(event.body ?? '{}');
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  const key = apiKeyFromSecret(secret.SecretString);
  const answer = await post(
    new URL('/access-token', config.cartesiaBaseUrl),
    {
      Authorization: `Bearer ${key}`,
      'Cartesia-Version': config.cartesiaVersion,
      'Content-Type': 'application/json',
    },
    JSON.stringify({ grants, expires_in: expiresIn }),
  );
  const { token } = JSON.parse(answer);
  return jsonResponse(
    200,
    { grants, expires_in: expiresIn },
    { 'Set-Cookie': tokenCookie(config.cookieName, token, expiresIn) },
  );
}
