/**
 * Warm requests in one long-lived process, as in a warm Lambda container.
 *
 * `overhead`: the bundle's handler, the naive handler, a bare `fetch` and a bare `node:http`
 * POST over a keep-alive Agent (the function's own transport) to the same Cartesia stand-in,
 * interleaved round by round (the machine's noise falls on all alike), after a warm-up. Every
 * GetSecretValue waits SECRET_READ_LATENCY_MS here, so the naive handler's read per request
 * costs what it would in AWS; ours reads once, in the warm-up.
 * `reuse <ours|naive>`: a fixed number of sequential mints from a fresh process, the secret
 * answering at once (only calls are counted); the parent counts the TCP connections the
 * stand-in accepted meanwhile.
 *
 * Between two requests the loop yields to the event loop once, as the Lambda runtime does
 * while it asks for the next event: back to back in one tick, undici has not yet put the
 * first connection back in its pool and opens a second one (measured; only the first time).
 */
import * as http from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fromFunctionEnvironment } from '../lambda/mint-token/config';
import {
  childInput,
  importBundle,
  type LambdaModule,
  MINT_BODY,
  mockSecretsManager,
  prepareMint,
  report,
  SECRET_READ_LATENCY_MS,
} from './lambda-harness';
import * as naive from './naive-handler';
import { type OverheadResult, perSubject, type ReuseResult, SUBJECTS, type Subject } from './warm-results';

const REUSE_MINTS = 1_000;
const WARM_UP = 300;
const ROUNDS = 15;
const PER_ROUND = 100;

const { bundle, apiKey } = childInput();
const [mode, subject] = process.argv.slice(2);
const ours = await importBundle(bundle);
const secretCalls = await mockSecretsManager(apiKey, mode === 'overhead' ? SECRET_READ_LATENCY_MS : 0);

const { config } = fromFunctionEnvironment(process.env);
const cartesiaUrl = new URL('/access-token', config.cartesiaBaseUrl);
const bareBody = JSON.stringify(MINT_BODY);
const bareHeaders = {
  Authorization: `Bearer ${apiKey}`,
  'Cartesia-Version': config.cartesiaVersion,
  'Content-Type': 'application/json',
};

/** The irreducible work: one round trip to Cartesia, body prepared once, no checks. */
async function bareFetch(): Promise<void> {
  const response = await fetch(cartesiaUrl, { method: 'POST', headers: bareHeaders, body: bareBody });
  const { token } = (await response.json()) as { token?: string };
  if (!token) throw new Error(`bare fetch answered ${response.status}`);
}

/** The same round trip on the function's transport: `node:http` over a keep-alive Agent. */
const bareAgent = new http.Agent({ keepAlive: true });
const bareHttpOptions = {
  method: 'POST',
  agent: bareAgent,
  headers: { ...bareHeaders, 'Content-Length': Buffer.byteLength(bareBody) },
};

function bareHttp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(cartesiaUrl, bareHttpOptions, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const { token } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token?: string };
        if (token) resolve();
        else reject(new Error(`bare http answered ${response.statusCode}`));
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(bareBody);
  });
}

const prepare: Record<Subject, () => () => Promise<void>> = {
  'bare fetch': () => bareFetch,
  'bare http': () => bareHttp,
  ours: () => prepareMint(ours),
  naive: () => prepareMint(naive as LambdaModule),
};

/** Runs `count` requests one after another; returns each one's wall time. */
async function sequential(name: Subject, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const call = prepare[name]();
    await nextTurn();
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return times;
}

async function overhead(): Promise<OverheadResult> {
  for (const name of SUBJECTS) await sequential(name, WARM_UP);
  const samplesMs = perSubject((): number[] => []);
  const cpuMicros = perSubject(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate who goes first, so no subject always follows the same one.
    const order = SUBJECTS.map((_, i) => SUBJECTS[(i + round) % SUBJECTS.length]);
    for (const name of order) {
      const cpu = process.cpuUsage();
      samplesMs[name].push(...(await sequential(name, PER_ROUND)));
      const used = process.cpuUsage(cpu);
      cpuMicros[name] += used.user + used.system;
    }
  }
  return { samplesMs, cpuMsPerRequest: perSubject((name) => cpuMicros[name] / 1000 / samplesMs[name].length) };
}

async function reuse(name: Subject): Promise<ReuseResult> {
  await sequential(name, REUSE_MINTS);
  return { mints: REUSE_MINTS, secretCalls: secretCalls(), rssBytes: process.memoryUsage().rss };
}

if (mode === 'overhead') report(await overhead());
else if (mode === 'reuse' && (subject === 'ours' || subject === 'naive')) report(await reuse(subject));
else throw new Error('usage: warm-child overhead | reuse <ours|naive>');
