/**
 * How the mint-token function is bundled: one set of esbuild settings, used by the stack
 * (through NodejsFunction) and by the benchmarks, so what is measured is what is deployed.
 */
import * as path from 'node:path';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

export const MINT_TOKEN_ENTRY = path.join(__dirname, '..', 'lambda', 'mint-token', 'handler.ts');

/** middy 6 is ESM-only; CommonJS dependencies inside an ESM bundle still need `require`. */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** The settings in esbuild's own terms. */
export const MINT_TOKEN_ESBUILD = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: { js: CREATE_REQUIRE_BANNER },
  // The nodejs24.x runtime ships AWS SDK v3: leaving it out keeps the bundle small.
  external: ['@aws-sdk/*'],
} as const;

/** Runtime options that go with the bundle: stack traces through the source map. */
export const MINT_TOKEN_NODE_OPTIONS = { NODE_OPTIONS: '--enable-source-maps' } as const;

/** The same settings in NodejsFunction's terms. */
export function mintTokenBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: MINT_TOKEN_ESBUILD.target,
    minify: MINT_TOKEN_ESBUILD.minify,
    sourceMap: MINT_TOKEN_ESBUILD.sourcemap,
    mainFields: [...MINT_TOKEN_ESBUILD.mainFields],
    banner: MINT_TOKEN_ESBUILD.banner.js,
    externalModules: [...MINT_TOKEN_ESBUILD.external],
    // Bundle with the esbuild from devDependencies: no Docker needed.
    forceDockerBundling: false,
  };
}
