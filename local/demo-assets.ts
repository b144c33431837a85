/**
 * The demo page and the browser client, served by the local API from a fixed list (no
 * file system walk). TypeScript is transpiled once at start-up with esbuild: no build step.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { transform } from 'esbuild';

const ROOT = path.join(__dirname, '..');

/** URL path → file; the .ts files are served as JavaScript modules. */
const ASSETS: Record<string, string> = {
  '/': 'demo/index.html',
  '/demo/demo.css': 'demo/demo.css',
  '/demo/demo.js': 'demo/demo.ts',
  '/browser-client/token-session.js': 'browser-client/token-session.ts',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/javascript; charset=utf-8',
};

/** The page loads only its own script and styles and talks only to its own origin. */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface Asset {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export async function loadDemoAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [urlPath, file] of Object.entries(ASSETS)) {
    const extension = path.extname(file);
    const source = await readFile(path.join(ROOT, file), 'utf8');
    const body =
      extension === '.ts'
        ? (await transform(source, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: file })).code
        : source;
    assets.set(urlPath, { body, headers: { 'Content-Type': CONTENT_TYPES[extension], ...PAGE_HEADERS } });
  }
  return assets;
}
