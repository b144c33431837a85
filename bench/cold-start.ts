/**
 * Cold starts, many times over: each run is a fresh `node` that imports one bundle and serves
 * its first request. Variants take turns run by run, so a slow moment of the machine hits
 * every variant alike rather than one.
 */

import { runChild } from './child-process';
import type { ColdStartResult } from './cold-start-child';
import { median } from './stats';

export interface ColdStartVariant {
  readonly name: string;
  readonly bundle: string;
  /** Environment beyond the function's configuration (e.g. NODE_OPTIONS). */
  readonly env?: Readonly<Record<string, string>>;
  /** Time the import only (when the first request cannot be served here). */
  readonly importOnly?: boolean;
}

export interface ColdStartSummary {
  readonly name: string;
  readonly runs: number;
  readonly nodeBootMs: number;
  readonly importMs: number;
  readonly firstRequestMs?: number;
  /** Import plus first request: what the function adds to a cold invocation. */
  readonly coldMs: number;
}

export interface ColdStartSetup {
  readonly script: string;
  readonly apiKey: string;
  readonly functionEnv: Readonly<Record<string, string>>;
  readonly runs: number;
}

export async function measureColdStarts(
  variants: readonly ColdStartVariant[],
  setup: ColdStartSetup,
): Promise<ColdStartSummary[]> {
  const results = new Map<string, ColdStartResult[]>(variants.map((variant) => [variant.name, []]));
  for (let run = 0; run < setup.runs; run++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + run) % variants.length];
      const { result } = await runChild<ColdStartResult>({
        script: setup.script,
        args: variant.importOnly ? ['--import-only'] : [],
        bundle: variant.bundle,
        apiKey: setup.apiKey,
        env: { ...setup.functionEnv, ...variant.env },
        timeoutMs: 30_000,
      });
      results.get(variant.name)?.push(result);
    }
  }
  return variants.map(({ name, importOnly }) => {
    const runs = results.get(name) ?? [];
    const importMs = median(runs.map((run) => run.importMs));
    const firstRequestMs = importOnly ? undefined : median(runs.map((run) => run.firstRequestMs ?? 0));
    return {
      name,
      runs: runs.length,
      nodeBootMs: median(runs.map((run) => run.nodeBootMs)),
      importMs,
      firstRequestMs,
      coldMs: median(runs.map((run) => run.importMs + (run.firstRequestMs ?? 0))),
    };
  });
}
