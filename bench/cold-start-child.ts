/**
 * One cold start, in a fresh Node process: import the bundle (Lambda's init phase) and serve
 * the first request (its first invoke). Timed from inside, so Node's own boot, which every
 * function pays alike, is reported apart.
 */
import { childInput, importBundle, mockSecretsManager, prepareMint, report } from './lambda-harness';

export interface ColdStartResult {
  /** Process start to the first line of this script: Node itself. */
  readonly nodeBootMs: number;
  readonly importMs: number;
  /** Undefined when only the import was timed. */
  readonly firstRequestMs?: number;
}

const { bundle, apiKey } = childInput();
const importOnly = process.argv.includes('--import-only');

const started = performance.now();
const module = await importBundle(bundle);
const imported = performance.now();
let firstRequestMs: number | undefined;
if (!importOnly) {
  await mockSecretsManager(apiKey); // bench-only set-up, not timed
  const mint = prepareMint(module);
  const ready = performance.now();
  await mint();
  firstRequestMs = performance.now() - ready;
}
report({ nodeBootMs: started, importMs: imported - started, firstRequestMs } satisfies ColdStartResult);
