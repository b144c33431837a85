/** The cookie and the key, as plain functions. */
import { parse } from 'cookie';
import { apiKeyFromSecret } from '../../lambda/mint-token/api-key';
import { ApiError } from '../../lambda/mint-token/errors';
import { expiredTokenCookie, tokenCookie } from '../../lambda/mint-token/token-cookie';

describe('token cookie', () => {
  test('carries every hardening attribute and the lifetime as Max-Age', () => {
    const header = tokenCookie('__Host-cartesia_token', 'abc.def-ghi_123', 90);
    expect(header.split('; ')).toEqual([
      '__Host-cartesia_token=abc.def-ghi_123',
      'Max-Age=90',
      'Path=/',
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
    ]);
    expect(header).not.toMatch(/Domain=/i);
  });

  test('encodes a token with characters a cookie cannot hold, and it reads back unchanged', () => {
    const token = 'a b;c=d,"e"';
    const header = tokenCookie('__Host-t', token, 60);
    expect(header.split(';')[0]).not.toMatch(/[ ;,"]/);
    expect(parse(header.split(';')[0])['__Host-t']).toBe(token);
  });

  test('the expired cookie has the same name and flags and Max-Age=0', () => {
    expect(expiredTokenCookie('__Host-voice')).toBe(
      '__Host-voice=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    );
  });
});

describe('API key from the secret', () => {
  const key = `sk_car_test${'ab12'.repeat(6)}`;

  test.each([
    ['the raw key', key],
    ['the raw key with stray white space around it', ` ${key}\n`],
    ['JSON {"apiKey": …}', { apiKey: key }],
  ])('accepts %s', (_form, value) => {
    expect(apiKeyFromSecret(value)).toBe(key);
  });

  test.each([
    undefined,
    '',
    '   ',
    'REPLACE_ME',
    'replace-with-your-key',
    '<your key>',
    'sk_car_...',
    'TODO',
    'xxxxxxxx',
    { apiKey: '' },
    { key },
    { apiKey: 42 },
    '{"apiKey":"sk_car_broken"',
    'two words',
  ])('refuses %j as not configured', (value) => {
    expect(() => apiKeyFromSecret(value)).toThrow(ApiError);
    try {
      apiKeyFromSecret(value);
    } catch (error) {
      expect((error as ApiError).statusCode).toBe(503);
      expect((error as ApiError).code).toBe('not_configured');
    }
  });
});
