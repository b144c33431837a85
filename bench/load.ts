/**
 * `npm run bench:load`: load and soak against the local API in this process, with the offline
 * Cartesia stand-in as upstream. Bounded in requests and time, 127.0.0.1 only. Prints a table
 * and exits non-zero when any request failed or a budget below was broken.
 *
 * 1. load: a fixed number of mints at a fixed concurrency (autocannon) — errors, latency, RSS.
 * 2. soak: a fixed duration at a lower concurrency, RSS sampled every second — memory stays flat.
 * 3. secret cache: the same handler pipeline driven directly, Secrets Manager replaced at the SDK
 *    boundary so reads can be counted, over several short cache windows — one read per window.
 *    (The local API reads its key from the environment, so it has no Secrets Manager to count.)
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clearCache } from '@middy/util';
import { mockClient } from 'aws-sdk-client-mock';
import { startCartesiaSimulator } from '../cartesia-simulator/simulator';
import { createHandler } from '../lambda/mint-token/app';
import { parseServiceConfig, SERVICE_CONFIG_ENV } from '../lambda/mint-token/config';
import { startLocalApi } from '../local/server';
import { apiEvent, lambdaContext } from '../test/support/api-event';
import { markdownTable } from './table';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  amount?: number;
  duration?: number;
  timeout: number;
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: Histogram;
  requests: Histogram;
  duration: number;
}
const autocannon: (options: AutocannonOptions) => Promise<AutocannonResult> = require('autocannon');

const LOAD = { requests: 5_000, connections: 50 };
const SOAK = { seconds: 10, connections: 20 };
const SECRET_CACHE = { windowSeconds: 2, seconds: 7, concurrency: 50, maxRequests: 200_000 };
/** RSS may grow this much from the first to the last second of the soak (GC noise, JIT). */
const SOAK_RSS_GROWTH_BUDGET_MB = 40;

const mb = (bytes: number) => bytes / 1024 / 1024;
const rssMb = () => mb(process.memoryUsage().rss);
const fmt = (value: number, digits = 1) => value.toFixed(digits);

/** Counts audit lines instead of printing them: one per request is part of what is checked. */
function countAuditLines(): { count: () => number; restore: () => void } {
  const write = process.stdout.write;
  let audits = 0;
  process.stdout.write = ((chunk: unknown) => {
    audits += String(chunk).split('"message":"audit"').length - 1;
    return true;
  }) as typeof process.stdout.write;
  return { count: () => audits, restore: () => (process.stdout.write = write) };
}

async function loadAndSoak() {
  const api = await startLocalApi({
    env: { [SERVICE_CONFIG_ENV]: JSON.stringify({ secretCacheSeconds: 300 }) },
  });
  try {
    const issued = await fetch(`${api.url}/local/id-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'load-test', groups: [] }),
    });
    const { id_token } = (await issued.json()) as { id_token: string };
    const target = (connections: number, bound: { amount: number } | { duration: number }): AutocannonOptions => ({
      url: `${api.url}/token`,
      method: 'POST',
      headers: { authorization: `Bearer ${id_token}`, 'content-type': 'application/json', origin: api.pageUrl },
      body: JSON.stringify({ grants: { tts: true, stt: true }, expires_in: 60 }),
      connections,
      timeout: 10,
      ...bound,
    });

    const audit = countAuditLines();
    try {
      await autocannon(target(10, { amount: 500 })); // warm-up: JIT, connection pools, key cache
      global.gc?.();
      const rssBefore = rssMb();
      const upstreamBefore = api.simulator?.requests.length ?? 0;
      const auditsBefore = audit.count();
      const load = await autocannon(target(LOAD.connections, { amount: LOAD.requests }));
      const rssAfter = rssMb();
      const upstreamCalls = (api.simulator?.requests.length ?? 0) - upstreamBefore;
      const auditLines = audit.count() - auditsBefore;

      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssMb()), 1_000);
      const soak = await autocannon(target(SOAK.connections, { duration: SOAK.seconds }));
      clearInterval(sampler);
      // A timed run ends with requests in flight: let them finish before the stand-in closes.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return { load, soak, rssBefore, rssAfter, upstreamCalls, auditLines, samples };
    } finally {
      audit.restore();
    }
  } finally {
    await api.close();
  }
}

/** Drives the pipeline directly for a few cache windows and counts Secrets Manager reads. */
async function secretCache() {
  // middy's cache is per process and keyed by name: forget the key the local API read.
  clearCache();
  const simulator = await startCartesiaSimulator({ apiKey: 'sk_car_bench_0123456789abcdef' });
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'sk_car_bench_0123456789abcdef' });
  const config = parseServiceConfig({
    allowedOrigins: ['https://app.example.com'],
    cartesiaBaseUrl: simulator.url,
    secretCacheSeconds: SECRET_CACHE.windowSeconds,
  });
  const handler = createHandler({ config, secretId: 'bench/cartesia-api-key' });
  const audit = countAuditLines();
  const started = performance.now();
  const stopAt = started + SECRET_CACHE.seconds * 1_000;
  let served = 0;
  let failed = 0;
  try {
    const worker = async () => {
      while (performance.now() < stopAt && served + failed < SECRET_CACHE.maxRequests) {
        const response = await handler(apiEvent({ body: { grants: { tts: true } } }) as never, lambdaContext());
        if (response.statusCode === 200) served++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: SECRET_CACHE.concurrency }, worker));
  } finally {
    audit.restore();
    clearCache(); // stops middy's refresh timer
    secrets.restore();
    await simulator.close();
  }
  const seconds = (performance.now() - started) / 1_000;
  const reads = secrets.commandCalls(GetSecretValueCommand).length;
  const windows = Math.ceil(seconds / SECRET_CACHE.windowSeconds);
  return { served, failed, seconds, reads, windows };
}

async function main() {
  const { load, soak, rssBefore, rssAfter, upstreamCalls, auditLines, samples } = await loadAndSoak();
  const cache = await secretCache();
  const soakGrowth = (samples.at(-1) ?? 0) - (samples[1] ?? samples[0] ?? 0);

  const checks: [string, string, string, boolean][] = [
    [
      `load: ${LOAD.requests} mints, ${LOAD.connections} connections`,
      `${load['2xx']} × 2xx, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts`,
      `${LOAD.requests} × 2xx, nothing else`,
      load['2xx'] === LOAD.requests && load.non2xx === 0 && load.errors === 0 && load.timeouts === 0,
    ],
    [
      'load: latency p50 / p99 / max',
      `${fmt(load.latency.p50)} / ${fmt(load.latency.p99)} / ${fmt(load.latency.max)} ms`,
      'reported',
      true,
    ],
    ['load: throughput', `${fmt(load.requests.average, 0)} req/s over ${fmt(load.duration)} s`, 'reported', true],
    [
      'load: calls to Cartesia / audit lines',
      `${upstreamCalls} / ${auditLines}`,
      `${LOAD.requests} / ${LOAD.requests} (one each per mint)`,
      upstreamCalls === LOAD.requests && auditLines === LOAD.requests,
    ],
    ['load: RSS before → after', `${fmt(rssBefore)} → ${fmt(rssAfter)} MB`, 'reported', true],
    [
      `soak: ${SOAK.seconds} s, ${SOAK.connections} connections`,
      `${soak['2xx']} × 2xx, ${soak.non2xx} non-2xx, ${soak.errors} errors, ${soak.timeouts} timeouts; p50 ${fmt(soak.latency.p50)} ms, p99 ${fmt(soak.latency.p99)} ms`,
      'no failure',
      soak['2xx'] > 0 && soak.non2xx === 0 && soak.errors === 0 && soak.timeouts === 0,
    ],
    [
      'soak: RSS second 1 → last (growth)',
      `${fmt(samples[1] ?? samples[0] ?? 0)} → ${fmt(samples.at(-1) ?? 0)} MB (${soakGrowth >= 0 ? '+' : ''}${fmt(soakGrowth)} MB)`,
      `≤ +${SOAK_RSS_GROWTH_BUDGET_MB} MB`,
      soakGrowth <= SOAK_RSS_GROWTH_BUDGET_MB,
    ],
    [
      `secret cache: ${SECRET_CACHE.windowSeconds} s window, ${SECRET_CACHE.concurrency} concurrent, ${fmt(cache.seconds)} s`,
      `${cache.served} mints, ${cache.failed} failed, ${cache.reads} secret reads`,
      `no failure, ≤ 1 read per window (${cache.windows} windows)`,
      cache.failed === 0 && cache.served > 0 && cache.reads >= 1 && cache.reads <= cache.windows,
    ],
  ];

  console.log(
    markdownTable(
      ['Run', 'Measured', 'Expected', 'OK'],
      checks.map(([run, measured, expected, ok]) => [run, measured, expected, ok ? 'yes' : '**NO**']),
    ),
  );
  const failures = checks.filter(([, , , ok]) => !ok);
  if (failures.length) {
    console.error(`\n${failures.length} check(s) failed: ${failures.map(([run]) => run).join('; ')}`);
    process.exit(1);
  }
  // The local API and the simulator are closed; anything left (sockets in autocannon) must not keep us.
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
