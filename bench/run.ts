/**
 * `npm run bench`: builds the function as the stack does, measures it side by side with a
 * baseline, a bare fetch, a bare node:http POST and a naive implementation, prints one table
 * and the cost model, and exits non-zero when a budget is broken. Everything runs on 127.0.0.1;
 * AWS is replaced at the SDK boundary and Cartesia by the stand-in.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { startCartesiaSimulator } from '../cartesia-simulator/simulator';
import { parseServiceConfig, toFunctionEnvironment } from '../lambda/mint-token/config';
import { MINT_TOKEN_NODE_OPTIONS } from '../lib/lambda-bundling';
import { APP_ORIGIN } from '../test/support/api-event';
import { BUDGETS } from './budgets';
import { buildBundle, buildScript, DEPLOYED, scratchFolder, WITHOUT_POWERTOOLS } from './bundle';
import { CHILD_NODE } from './child-process';
import { measureColdStarts } from './cold-start';
import { costTable, memoryTable } from './cost-model';
import { SECRET_ID, SECRET_READ_LATENCY_MS } from './lambda-harness';
import { kb, markdownTable, micros, ms, signedMicros, times } from './table';
import { measureReuse, measureWarm } from './warm';

const COLD_RUNS = 15;
/** What the stack sets for the function (lib/cartesia-token-api.ts). */
const DEPLOYED_NODE_OPTIONS = MINT_TOKEN_NODE_OPTIONS;

const verdict = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

async function main(): Promise<number> {
  const scratch = scratchFolder();
  // A made-up key, never printed: the stand-in accepts it and the secret mock hands it out.
  const apiKey = `sk_car_bench${randomBytes(12).toString('hex')}`;
  const simulator = await startCartesiaSimulator({ apiKey });
  try {
    const config = parseServiceConfig({ allowedOrigins: [APP_ORIGIN], cartesiaBaseUrl: simulator.url });
    const functionEnv = toFunctionEnvironment(config, SECRET_ID);
    const version = execFileSync(CHILD_NODE, ['--version']).toString().trim();
    console.error(`Building bundles; children run on Node ${version}…`);

    const deployed = await buildBundle(DEPLOYED, scratch.dir);
    const baseline = await buildBundle(
      { name: 'baseline', entry: path.join(__dirname, 'baseline-handler.ts') },
      scratch.dir,
    );
    const sdkBundled = await buildBundle({ ...DEPLOYED, name: 'aws-sdk-bundled', bundleAwsSdk: true }, scratch.dir);
    const noPowertools = await buildBundle(WITHOUT_POWERTOOLS, scratch.dir);
    const coldScript = await buildScript(path.join(__dirname, 'cold-start-child.ts'), scratch.dir);
    const warmScript = await buildScript(path.join(__dirname, 'warm-child.ts'), scratch.dir);

    console.error(`Cold starts: ${COLD_RUNS} fresh processes per variant…`);
    const [base, ours, noSourceMaps, oursNoPowertools, withSdk] = await measureColdStarts(
      [
        { name: 'baseline', bundle: baseline.file },
        { name: 'deployed', bundle: deployed.file, env: DEPLOYED_NODE_OPTIONS },
        { name: 'without source maps', bundle: deployed.file },
        { name: 'without Powertools', bundle: noPowertools.file, env: DEPLOYED_NODE_OPTIONS },
        { name: 'AWS SDK bundled', bundle: sdkBundled.file, env: DEPLOYED_NODE_OPTIONS, importOnly: true },
      ],
      { script: coldScript, apiKey, functionEnv, runs: COLD_RUNS },
    );

    console.error('Warm requests…');
    const setup = { script: warmScript, bundle: deployed.file, apiKey, functionEnv };
    const warm = await measureWarm(setup);
    const warmNoPowertools = await measureWarm({ ...setup, bundle: noPowertools.file });
    const reuse = await measureReuse(setup, 'ours', simulator);
    const naiveReuse = await measureReuse(setup, 'naive', simulator);

    const process_ = (cold: typeof ours) => cold.nodeBootMs + cold.coldMs;
    const coldRatio = process_(ours) / process_(base);
    const warmRatio = warm.medianMicros.ours / warm.medianMicros['bare fetch'];
    const secretCallsAfterFirst = Math.max(0, reuse.secretCalls - 1);
    const checks = {
      bundle: deployed.bytes <= BUDGETS.bundleBytes,
      cold: coldRatio <= BUDGETS.coldStartRatio,
      warm: warmRatio <= BUDGETS.warmRatio,
      connections: reuse.connections <= BUDGETS.connectionsPerThousandMints,
      secrets: secretCallsAfterFirst <= BUDGETS.secretCallsAfterFirst,
    };
    const largest = deployed.contributors
      .slice(0, 5)
      .map(({ name, bytes }) => `${name} ${kb(bytes)}`)
      .join(', ');

    const table = markdownTable(
      ['measure (medians)', 'ours', 'compared with', 'ratio', 'budget', 'result'],
      [
        [
          'bundle, minified',
          kb(deployed.bytes),
          `largest: ${largest}`,
          '',
          `≤ ${kb(BUDGETS.bundleBytes)}`,
          verdict(checks.bundle),
        ],
        [
          `cold start: process start → first response (${COLD_RUNS} runs)`,
          ms(process_(ours)),
          `baseline ${ms(process_(base))}`,
          times(coldRatio),
          `≤ ${BUDGETS.coldStartRatio}×`,
          verdict(checks.cold),
        ],
        [
          '… of which bundle import + first request (Node boot left out)',
          `${ms(ours.importMs)} + ${ms(ours.firstRequestMs ?? 0)}`,
          `baseline ${ms(base.importMs)} + ${ms(base.firstRequestMs ?? 0)}`,
          times(ours.coldMs / base.coldMs),
          '',
          'info',
        ],
        [
          `warm request, end to end (${warm.requestsPerSubject} per subject)`,
          micros(warm.medianMicros.ours),
          `bare fetch ${micros(warm.medianMicros['bare fetch'])}`,
          times(warmRatio),
          `≤ ${BUDGETS.warmRatio}×`,
          verdict(checks.warm),
        ],
        [
          'warm request: our overhead over the same transport (bare node:http, keep-alive Agent)',
          micros(warm.medianMicros.ours),
          `bare node:http ${micros(warm.medianMicros['bare http'])}; ours ${signedMicros(warm.medianMicros.ours - warm.medianMicros['bare http'])}`,
          times(warm.medianMicros.ours / warm.medianMicros['bare http']),
          '',
          'info',
        ],
        [
          `warm request vs naive (secret read each time, ${SECRET_READ_LATENCY_MS} ms assumed; new connection each time)`,
          micros(warm.medianMicros.ours),
          `naive ${micros(warm.medianMicros.naive)}; ours ${signedMicros(warm.medianMicros.ours - warm.medianMicros.naive)}`,
          times(warm.medianMicros.ours / warm.medianMicros.naive),
          '',
          'info',
        ],
        [
          `Secrets Manager calls per ${reuse.mints.toLocaleString('en-US')} warm requests, after the first`,
          String(secretCallsAfterFirst),
          `naive ${naiveReuse.secretCalls.toLocaleString('en-US')}`,
          '',
          String(BUDGETS.secretCallsAfterFirst),
          verdict(checks.secrets),
        ],
        [
          `upstream TCP connections per ${reuse.mints.toLocaleString('en-US')} sequential mints`,
          String(reuse.connections),
          `naive ${naiveReuse.connections.toLocaleString('en-US')}`,
          '',
          `≤ ${BUDGETS.connectionsPerThousandMints}`,
          verdict(checks.connections),
        ],
        [
          'decision: AWS SDK bundled instead of the runtime’s',
          `${kb(deployed.bytes)}, import ${ms(ours.importMs)}`,
          `bundled: ${kb(sdkBundled.bytes)}, import ${ms(withSdk.importMs)}`,
          times(withSdk.importMs / ours.importMs),
          '',
          'info',
        ],
        [
          'decision: Powertools Logger (vs a 30-line JSON logger)',
          `${kb(deployed.bytes)}, cold ${ms(ours.coldMs)}, warm ${micros(warm.medianMicros.ours)}`,
          `without: ${kb(noPowertools.bytes)}, cold ${ms(oursNoPowertools.coldMs)}, warm ${micros(warmNoPowertools.medianMicros.ours)}`,
          times(warm.medianMicros.ours / warmNoPowertools.medianMicros.ours),
          '',
          'info',
        ],
        [
          'decision: NODE_OPTIONS=--enable-source-maps (as deployed)',
          `cold ${ms(ours.coldMs)}`,
          `without: cold ${ms(noSourceMaps.coldMs)}`,
          times(ours.coldMs / noSourceMaps.coldMs),
          '',
          'info',
        ],
        [
          'per warm mint: CPU, log bytes; resident memory after 1,000 mints',
          `${micros(warm.cpuMicrosPerRequest.ours)} CPU, ${Math.round(reuse.logBytesPerMint)} B`,
          `bare fetch ${micros(warm.cpuMicrosPerRequest['bare fetch'])}, bare node:http ${micros(warm.cpuMicrosPerRequest['bare http'])} CPU`,
          '',
          '',
          `RSS ${(reuse.rssBytes / 2 ** 20).toFixed(0)} MB`,
        ],
      ],
    );
    const figures = {
      cpuMs: warm.cpuMicrosPerRequest.ours / 1000,
      naiveCpuMs: warm.cpuMicrosPerRequest.naive / 1000,
      logBytesPerMint: reuse.logBytesPerMint,
      coldMs: process_(ours),
    };
    console.log(
      `## Measured on Node ${version}\n\n${table}\n\n## Cost model\n\n${costTable(figures)}\n\n${memoryTable(figures)}`,
    );

    const broken = Object.entries(checks).filter(([, ok]) => !ok);
    if (broken.length) console.error(`Budgets broken: ${broken.map(([name]) => name).join(', ')}`);
    return broken.length ? 1 : 0;
  } finally {
    await simulator.close();
    scratch.remove();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
