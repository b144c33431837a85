/**
 * Warm requests in one long-lived process, as in a warm Lambda container.
 *
 * `overhead`: the bundle's handler, the naive handler and a bare `fetch` to the same Cartesia
 * stand-in, interleaved round by round (the machine's noise falls on all three alike), after
 * a warm-up. `reuse <ours|naive>`: a fixed number of sequential mints from a fresh process;
 * the parent counts the TCP connections the stand-in accepted meanwhile.
 *
 * Between two requests the loop yields to the event loop once, as the Lambda runtime does
 * while it asks for the next event: back to back in one tick, undici has not yet put the
 * first connection back in its pool and opens a second one (measured; only the first time).
 */
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
} from './lambda-harness';
import * as naive from './naive-handler';
import { type OverheadResult, type ReuseResult, SUBJECTS, type Subject } from './warm-results';

const REUSE_MINTS = 1_000;
const WARM_UP = 300;
const ROUNDS = 15;
const PER_ROUND = 100;

const { bundle, apiKey } = childInput();
const [mode, subject] = process.argv.slice(2);
const ours = await importBundle(bundle);
const secretCalls = await mockSecretsManager(apiKey);

const { config } = fromFunctionEnvironment(process.env);
const cartesiaUrl = new URL('/access-token', config.cartesiaBaseUrl);
const bareBody = JSON.stringify(MINT_BODY);

/** The irreducible work: one round trip to Cartesia, body prepared once, no checks. */
async function bareFetch(): Promise<void> {
  const response = await fetch(cartesiaUrl, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${apiKey}`,
      'Cartesia-Version': config.cartesiaVersion,
      'Content-Type': 'application/json',
    },
    body: bareBody,
  });
  const { token } = (await response.json()) as { token?: string };
  if (!token) throw new Error(`bare fetch answered ${response.status}`);
}

const prepare: Record<Subject, () => () => Promise<void>> = {
  'bare fetch': () => bareFetch,
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
  const samplesMs = { 'bare fetch': [] as number[], ours: [] as number[], naive: [] as number[] };
  const cpuMicros = { 'bare fetch': 0, ours: 0, naive: 0 };
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
  const perRequest = (name: Subject) => cpuMicros[name] / 1000 / samplesMs[name].length;
  return {
    samplesMs,
    cpuMsPerRequest: { 'bare fetch': perRequest('bare fetch'), ours: perRequest('ours'), naive: perRequest('naive') },
  };
}

async function reuse(name: Subject): Promise<ReuseResult> {
  await sequential(name, REUSE_MINTS);
  return { mints: REUSE_MINTS, secretCalls: secretCalls(), rssBytes: process.memoryUsage().rss };
}

if (mode === 'overhead') report(await overhead());
else if (mode === 'reuse' && (subject === 'ours' || subject === 'naive')) report(await reuse(subject));
else throw new Error('usage: warm-child overhead | reuse <ours|naive>');
