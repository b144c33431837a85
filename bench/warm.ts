/** Parent side of the warm measurements: runs warm-child and reads what the stand-in saw. */
import type { CartesiaSimulator } from '../cartesia-simulator/simulator';
import { runChild } from './child-process';
import { median } from './stats';
import { type OverheadResult, perSubject, type ReuseResult, type Subject } from './warm-results';

export interface ChildSetup {
  readonly script: string;
  readonly bundle: string;
  readonly apiKey: string;
  readonly functionEnv: Readonly<Record<string, string>>;
}

export interface WarmSummary {
  /** Median wall time per request, in microseconds. */
  readonly medianMicros: Record<Subject, number>;
  readonly cpuMicrosPerRequest: Record<Subject, number>;
  readonly requestsPerSubject: number;
}

export interface ReuseSummary extends ReuseResult {
  /** TCP connections the Cartesia stand-in accepted during the run. */
  readonly connections: number;
  /** Log bytes the function wrote per mint. */
  readonly logBytesPerMint: number;
}

const run = <T>(setup: ChildSetup, args: string[]) =>
  runChild<T>({ ...setup, env: setup.functionEnv, args, timeoutMs: 180_000 });

export async function measureWarm(setup: ChildSetup): Promise<WarmSummary> {
  const { result } = await run<OverheadResult>(setup, ['overhead']);
  return {
    medianMicros: perSubject((name) => median(result.samplesMs[name]) * 1000),
    cpuMicrosPerRequest: perSubject((name) => result.cpuMsPerRequest[name] * 1000),
    requestsPerSubject: result.samplesMs.ours.length,
  };
}

export async function measureReuse(
  setup: ChildSetup,
  subject: 'ours' | 'naive',
  simulator: CartesiaSimulator,
): Promise<ReuseSummary> {
  const before = simulator.connections();
  const { result, logBytes } = await run<ReuseResult>(setup, ['reuse', subject]);
  return { ...result, connections: simulator.connections() - before, logBytesPerMint: logBytes / result.mints };
}
