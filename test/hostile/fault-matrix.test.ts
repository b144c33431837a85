/**
 * Runs every row of the fault matrix (./fault-matrix-table.ts) against the real pipeline and
 * checks that docs/fault-matrix.md is what the table renders to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { apiEvent } from '../support/api-event';
import { FAULT_MATRIX_DOC, renderFaultMatrix } from './fault-matrix-markdown';
import {
  DEADLINE_MARGIN_MS,
  FAULT_MATRIX,
  FAULT_MATRIX_CONFIG,
  type FaultRow,
  KEY,
  UPSTREAM_BODY_MARKER,
} from './fault-matrix-table';
import { type Harness, newApiKey, startHarness, TOKEN_COOKIE } from './handler-harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  harness.scanner.secret('upstream error body', UPSTREAM_BODY_MARKER);
});
afterAll(() => harness.close());

/** Puts the row's secret behind the SDK mock; returns the key Cartesia accepts. */
function arrangeSecret(row: FaultRow): void {
  const { secrets, apiKey } = harness;
  secrets.reset();
  const secret = row.secret;
  if (secret.kind === 'value') {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secret.secretString.replaceAll(KEY, apiKey) });
  } else if (secret.kind === 'rotated') {
    const previousKey = newApiKey();
    harness.scanner.secret('API key before the rotation', previousKey);
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: previousKey }).resolves({ SecretString: apiKey });
  } else {
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error(secret.message), { name: secret.name, $metadata: {} }));
  }
  if (row.keyRevoked) harness.simulator.setApiKey(newApiKey());
}

describe('fault matrix', () => {
  test.each(FAULT_MATRIX.map((row, index) => [index + 1, row.fault, row] as const))(
    'row %i: %s',
    async (number, _fault, row) => {
      harness.reset();
      arrangeSecret(row);
      harness.simulator.inject(...row.upstream);
      const logStart = harness.output.text().length;
      const handler = harness.handler(harness.config(FAULT_MATRIX_CONFIG));

      const started = performance.now();
      const response = await harness.send(
        handler,
        apiEvent({ body: { grants: { tts: true } } }),
        `fault row ${number}`,
      );
      const elapsed = performance.now() - started;

      const { expect: expected } = row;
      expect(response.statusCode).toBe(expected.status);
      expect(elapsed).toBeLessThanOrEqual(FAULT_MATRIX_CONFIG.upstreamDeadlineMs + DEADLINE_MARGIN_MS);
      expect(response.headers).toMatchObject({
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      const cookie = response.headers?.['Set-Cookie'];
      if (expected.status === 200) {
        expect(String(cookie)).toMatch(TOKEN_COOKIE);
      } else {
        expect(cookie).toBeUndefined();
        expect(JSON.parse(response.body)).toEqual({ error: { code: expected.code, message: expect.any(String) } });
      }
      expect(response.headers?.['Retry-After']).toBe(expected.retryAfter);

      const calls = harness.simulator.requests.length;
      const [fewest, most] =
        typeof expected.upstreamCalls === 'number'
          ? [expected.upstreamCalls, expected.upstreamCalls]
          : expected.upstreamCalls;
      expect(calls).toBeGreaterThanOrEqual(fewest);
      expect(calls).toBeLessThanOrEqual(most);
      expect(harness.secretReads()).toBe(expected.secretReads);
      if (expected.log) expect(harness.output.text().slice(logStart)).toContain(expected.log);
    },
  );

  test('no row leaked a key, a token or an upstream body into a response or a log line', () => {
    expect(harness.scanner.secretCount).toBeGreaterThan(FAULT_MATRIX.length);
    expect(harness.leaks()).toEqual([]);
  });
});

test(`${FAULT_MATRIX_DOC} is what the table renders to (run \`npm run docs\` after changing the table)`, () => {
  const committed = readFileSync(join(__dirname, '../..', FAULT_MATRIX_DOC), 'utf8');
  expect(committed).toBe(renderFaultMatrix());
});
