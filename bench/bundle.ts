/**
 * Builds Lambda bundles with the stack's own esbuild settings (lib/lambda-bundling.ts) into
 * a scratch folder, and reads their metafiles: minified bytes and which packages they hold.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { MINT_TOKEN_ENTRY, MINT_TOKEN_ESBUILD } from '../lib/lambda-bundling';

const REPO = path.join(__dirname, '..');

export interface BuiltBundle {
  /** Absolute path of the `.mjs` file a runtime would import. */
  readonly file: string;
  /** Size of that file, source map excluded. */
  readonly bytes: number;
  /** Bytes in the output per package, largest first; our own modules count as one "package". */
  readonly contributors: readonly { readonly name: string; readonly bytes: number }[];
}

export interface BundleVariant {
  readonly name: string;
  readonly entry: string;
  /** Bundle the AWS SDK too instead of taking the runtime's. */
  readonly bundleAwsSdk?: boolean;
  /** Replace these import paths with these files (to measure a library's footprint). */
  readonly replace?: Readonly<Record<string, string>>;
}

/** A scratch folder outside the repo whose `node_modules` points at the repo's, so external imports resolve. */
export function scratchFolder(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cartesia-bench-'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1];
  return path.dirname(input);
}

function contributors(metafile: Metafile, output: string) {
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output].inputs)) {
    const name = packageOf(input);
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const replaceImports = (replace: Readonly<Record<string, string>>): Plugin => ({
  name: 'replace-imports',
  setup(builder) {
    const names = Object.keys(replace).map((name) => name.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&'));
    builder.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({ path: replace[args.path] }));
  },
});

export async function buildBundle(variant: BundleVariant, outDir: string): Promise<BuiltBundle> {
  const outfile = path.join(outDir, variant.name, 'index.mjs');
  const result = await build({
    ...MINT_TOKEN_ESBUILD,
    mainFields: [...MINT_TOKEN_ESBUILD.mainFields],
    external: variant.bundleAwsSdk ? [] : [...MINT_TOKEN_ESBUILD.external],
    entryPoints: [variant.entry],
    outfile,
    absWorkingDir: REPO,
    metafile: true,
    logLevel: 'error',
    plugins: variant.replace ? [replaceImports(variant.replace)] : [],
  });
  const output = path.relative(REPO, outfile);
  const { bytes } = result.metafile.outputs[output];
  return { file: outfile, bytes, contributors: contributors(result.metafile, output) };
}

/** The function as deployed. */
export const DEPLOYED: BundleVariant = { name: 'deployed', entry: MINT_TOKEN_ENTRY };

/** Compiles a bench script for a plain `node`: our code inlined, packages left to node_modules. */
export async function buildScript(entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'scripts', `${path.basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    absWorkingDir: REPO,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}

/** The function with Powertools Logger replaced by a minimal JSON logger: Powertools' footprint. */
export const WITHOUT_POWERTOOLS: BundleVariant = {
  name: 'without-powertools',
  entry: MINT_TOKEN_ENTRY,
  replace: {
    '@aws-lambda-powertools/logger': path.join(__dirname, 'console-logger.ts'),
    '@aws-lambda-powertools/logger/middleware': path.join(__dirname, 'console-logger.ts'),
  },
};
