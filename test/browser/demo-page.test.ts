/**
 * The demo page and the token cookie in a real browser: headless Debian chromium driven by
 * playwright-core, against the local API (development issuer, Cartesia simulator) on
 * localhost. Pages of "other sites" come from small servers on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clearCache } from '@middy/util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type LocalApi, startLocalApi } from '../../local/server';
import { captureOutput, type OutputCapture } from '../support/output-capture';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const COOKIE = '__Host-cartesia_token';

/** A site of its own: a blank page at `/`, and `/echo`, which records the Cookie header it receives. */
interface Site {
  readonly port: number;
  readonly cookiesReceived: Array<string | undefined>;
  close(): Promise<void>;
}

async function startSite(): Promise<Site> {
  const cookiesReceived: Array<string | undefined> = [];
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith('/echo')) {
      cookiesReceived.push(request.headers.cookie);
      response.writeHead(204).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>site</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cookiesReceived,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let output: OutputCapture;
let browser: Browser;
let api: LocalApi;
/** Allowed to call the API (cross-origin), on localhost and on 127.0.0.1. */
let partner: Site;
/** Not allowed to call the API. */
let stranger: Site;
let context: BrowserContext;

beforeAll(async () => {
  output = captureOutput();
  partner = await startSite();
  stranger = await startSite();
  api = await startLocalApi({
    env: { ALLOWED_ORIGINS: `http://localhost:${partner.port},http://127.0.0.1:${partner.port}` },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await partner?.close();
  await stranger?.close();
  clearCache();
  output.restore();
});

beforeEach(async () => {
  context = await browser.newContext();
});

afterEach(async () => {
  await context.close();
});

const tokenCookie = async (url = api.pageUrl) => (await context.cookies(url)).find((cookie) => cookie.name === COOKIE);

const isMint = (url: string, method: string) => url === `${api.pageUrl}/token` && method === 'POST';

/** Signs in on the demo page and starts a token session; resolves with the first mint's answer. */
async function startDemoSession(
  page: Page,
  { expiresIn, refreshMargin }: { expiresIn: number; refreshMargin: number },
) {
  await page.goto(`${api.pageUrl}/`);
  await page.getByLabel('User name').fill('alice');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#identity', { hasText: 'Signed in as alice' }).waitFor();
  await page.getByLabel('Lifetime in seconds').fill(String(expiresIn));
  await page.getByLabel('Refresh this many seconds before expiry').fill(String(refreshMargin));
  const minted = page.waitForResponse((response) => isMint(response.url(), response.request().method()));
  const before = Date.now();
  await page.getByRole('button', { name: 'Start token session' }).click();
  const response = await minted;
  return { before, after: Date.now(), status: response.status(), body: await response.json() };
}

async function idToken(): Promise<string> {
  const response = await fetch(`${api.url}/local/id-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'alice', groups: [] }),
  });
  return (await response.json()).id_token;
}

test('the token lives only in a hardened cookie that page script cannot read, and sign-out removes it', async () => {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  const mint = await startDemoSession(page, { expiresIn: 120, refreshMargin: 10 });
  expect(mint.status).toBe(200);
  expect(mint.body).toEqual({ grants: { tts: true }, expires_in: 120, expires_at: expect.any(String) });

  const cookie = await tokenCookie();
  expect(cookie).toMatchObject({ domain: 'localhost', path: '/', httpOnly: true, secure: true, sameSite: 'Strict' });
  expect(cookie?.value).toMatch(/^sim_tok_/);
  // Max-Age=120: the browser keeps it for the granted lifetime.
  expect(cookie?.expires).toBeGreaterThanOrEqual(mint.before / 1000 + 120 - 1);
  expect(cookie?.expires).toBeLessThanOrEqual(mint.after / 1000 + 120 + 1);

  const documentCookie = await page.evaluate(() => document.cookie);
  expect(documentCookie).not.toContain(COOKIE);
  expect(documentCookie.includes(cookie?.value ?? 'no cookie')).toBe(false);
  await page.getByRole('button', { name: 'Try to read it with document.cookie' }).click();
  await expect(page.locator('#cookie-result').textContent()).resolves.toMatch(/^No\. .*HttpOnly/);
  await expect(page.locator('#session-status').textContent()).resolves.toMatch(/Token valid/);

  const storage = () => page.evaluate(() => [localStorage.length, sessionStorage.length]);
  expect(await storage()).toEqual([0, 0]);

  const signedOut = page.waitForResponse(
    (response) => response.url() === `${api.pageUrl}/token` && response.request().method() === 'DELETE',
  );
  await page.getByRole('button', { name: 'Sign out (expire the cookie)' }).click();
  expect((await signedOut).status()).toBe(204);
  expect(await tokenCookie()).toBeUndefined();
  await page.locator('#session-status', { hasText: 'Signed out: the service expired the cookie.' }).waitFor();

  expect(await storage()).toEqual([0, 0]);
  expect(pageErrors).toEqual([]);
});

test('the demo refreshes the token before it expires', async () => {
  const page = await context.newPage();
  const mintRequests: number[] = [];
  page.on('request', (request) => {
    if (isMint(request.url(), request.method())) mintRequests.push(Date.now());
  });
  const first = await startDemoSession(page, { expiresIn: 3, refreshMargin: 2 });
  expect(first.status).toBe(200);
  const firstValue = (await tokenCookie())?.value;

  const refreshed = await page.waitForResponse((response) => isMint(response.url(), response.request().method()));
  expect(refreshed.status()).toBe(200);
  expect(mintRequests).toHaveLength(2);
  expect(mintRequests[1]).toBeLessThan(Date.parse(first.body.expires_at));

  await page.locator('#mint-count', { hasText: '2' }).waitFor();
  const log = await page.locator('#log').textContent();
  expect(log).toContain('refreshed: tts for 3 s');
  expect(log).not.toContain('expired');
  const secondValue = (await tokenCookie())?.value;
  expect(secondValue).toMatch(/^sim_tok_/);
  expect(secondValue).not.toBe(firstValue);
  await page.getByRole('button', { name: 'Stop refreshing' }).click();
});

test('a page on another site (127.0.0.1) never gets the cookie', async () => {
  const page = await context.newPage();
  expect((await startDemoSession(page, { expiresIn: 60, refreshMargin: 10 })).status).toBe(200);
  partner.cookiesReceived.length = 0;
  const echo = `http://localhost:${partner.port}/echo`;
  const send = (from: Page) =>
    from.evaluate((url) => fetch(url, { mode: 'no-cors', credentials: 'include' }).then(() => undefined), echo);

  // Same site (localhost, another port): the browser sends the cookie.
  const sameSite = await context.newPage();
  await sameSite.goto(`http://localhost:${partner.port}/`);
  await send(sameSite);
  // Another site (127.0.0.1): SameSite=Strict keeps it back.
  const otherSite = await context.newPage();
  await otherSite.goto(`http://127.0.0.1:${partner.port}/`);
  await send(otherSite);

  expect(partner.cookiesReceived).toHaveLength(2);
  expect(partner.cookiesReceived[0]).toContain(`${COOKIE}=sim_tok_`);
  expect(partner.cookiesReceived[1] ?? '').not.toContain(COOKIE);
  // The demo page itself on 127.0.0.1 is another site too: no cookie there.
  expect(await tokenCookie(`http://127.0.0.1:${api.port}/`)).toBeUndefined();
});

test('a token minted from a page on another site is refused by the browser', async () => {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${partner.port}/`);
  const status = await page.evaluate(
    async ({ endpoint, authorization }) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        credentials: 'include',
        headers: { Authorization: authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify({ grants: { tts: true } }),
      });
      return response.status;
    },
    { endpoint: `${api.pageUrl}/token`, authorization: await idToken() },
  );
  // The API minted (the origin is allowed), but the browser dropped the cross-site Set-Cookie.
  expect(status).toBe(200);
  expect(await context.cookies()).toEqual([]);
});

test('an unauthenticated call from an allowed origin is a readable 401, not a CORS failure', async () => {
  const call = async (page: Page, authorization?: string) =>
    page.evaluate(
      async ({ endpoint, authorization }) => {
        try {
          const response = await fetch(endpoint, {
            method: 'POST',
            credentials: 'include',
            headers: { 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}) },
            body: JSON.stringify({ grants: { tts: true } }),
          });
          return { status: response.status, body: await response.json() };
        } catch (error) {
          return { failed: String(error) };
        }
      },
      { endpoint: `${api.pageUrl}/token`, authorization },
    );

  const allowed = await context.newPage();
  await allowed.goto(`http://localhost:${partner.port}/`);
  for (const authorization of [undefined, 'not-a-jwt']) {
    expect(await call(allowed, authorization)).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: expect.any(String) } },
    });
  }

  // What the page would see without the CORS headers: an origin that is not allowed gets nothing readable.
  const notAllowed = await context.newPage();
  await notAllowed.goto(`http://localhost:${stranger.port}/`);
  expect(await call(notAllowed)).toEqual({ failed: expect.stringContaining('TypeError') });
});
