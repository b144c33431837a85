/**
 * Settings that would weaken the service are refused when the configuration is parsed, so
 * neither the stack nor the function can run with them (the threat model cites these).
 */
import { parseServiceConfig } from '../../lambda/mint-token/config';

const base = { allowedOrigins: ['https://app.example.com'] };

test.each([
  ['the key sent to Cartesia over plain HTTP', { cartesiaBaseUrl: 'http://api.cartesia.ai' }, 'cartesiaBaseUrl'],
  ['a wildcard origin with credentials', { allowedOrigins: ['*'] }, 'allowedOrigins'],
  ['a plain-HTTP web app origin', { allowedOrigins: ['http://app.example.com'] }, 'allowedOrigins'],
  ['a cookie without the __Host- prefix', { cookieName: 'cartesia_token' }, 'cookieName'],
  ['tokens that outlive Cartesia’s hour', { maxExpiresIn: 7200 }, 'maxExpiresIn'],
  ['a body limit beyond 64 KiB', { maxBodyBytes: 1_000_000 }, 'maxBodyBytes'],
  [
    'an attempt timeout longer than the deadline',
    { upstreamAttemptTimeoutMs: 5000, upstreamDeadlineMs: 1000 },
    'upstreamAttemptTimeoutMs',
  ],
])('refuses %s', (_name, settings, key) => {
  expect(() => parseServiceConfig({ ...base, ...settings })).toThrow(new RegExp(`${key}(\\.\\d+)?: `));
});

test('allows plain HTTP to Cartesia only on loopback, for the local stand-in', () => {
  expect(parseServiceConfig({ ...base, cartesiaBaseUrl: 'http://127.0.0.1:4010' }).cartesiaBaseUrl).toBe(
    'http://127.0.0.1:4010',
  );
});
