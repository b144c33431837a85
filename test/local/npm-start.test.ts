/**
 * `npm start` as a developer meets it: the start-up banner of `tsx local/main.ts`, and its
 * curl example run through a shell exactly as printed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CURL_EXAMPLE_HEADING } from '../../local/banner';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** Only what a shell needs: none of the variables that switch the local API to real services. */
const CLEAN_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };

interface Started {
  readonly child: ChildProcess;
  readonly banner: string;
}

/** Starts the local API as `npm start` does and resolves once the banner is complete. */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(TSX, ['local/main.ts'], { cwd: ROOT, env: { ...CLEAN_ENV, ...env } });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('Stop with Ctrl+C.')) resolve({ child, banner: stdout });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('exit', (code) => reject(Object.assign(new Error(`exited with ${code}`), { stderr })));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });

let running: ChildProcess | undefined;

afterEach(async () => {
  if (running && running.exitCode === null) {
    running.kill('SIGTERM');
    await exited(running);
  }
  running = undefined;
});

test('prints where everything is, the mode of each part, and a curl example that works as printed', async () => {
  const { child, banner } = await start({ PORT: '0' });
  running = child;
  const port = banner.match(/Demo page\s+http:\/\/localhost:(\d+)\//)?.[1];
  expect(Number(port)).toBeGreaterThan(0);
  expect(banner).toContain(`API              POST and DELETE http://127.0.0.1:${port}/token`);
  expect(banner).toMatch(/Identity\s+development issuer \(LOCAL ONLY/);
  expect(banner).toMatch(
    /Cartesia\s+offline simulator at http:\/\/127\.0\.0\.1:\d+: its tokens only work against this simulator/,
  );
  expect(banner).toContain(`Allowed origins  http://localhost:${port}`);

  const lines = banner.split('\n');
  const from = lines.indexOf(CURL_EXAMPLE_HEADING) + 2;
  const commands = lines.slice(from, lines.indexOf('', from)).map((line) => line.trim());
  expect(commands).toHaveLength(2);

  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', commands.join('\n')], {
    cwd: '/tmp',
    env: CLEAN_ENV,
    timeout: 20_000,
  });
  expect(stdout).toMatch(/^HTTP\/1\.1 200 OK/);
  expect(stdout).toMatch(
    /^Set-Cookie: __Host-cartesia_token=sim_tok_[\w-]+; Max-Age=60; Path=\/; HttpOnly; Secure; SameSite=Strict\r?$/m,
  );
  expect(JSON.parse(stdout.slice(stdout.lastIndexOf('\n{')))).toEqual({
    grants: { tts: true, agent: true },
    expires_in: 60,
    expires_at: expect.any(String),
  });

  child.kill('SIGTERM');
  expect(await exited(child)).toBe(0);
});

test('with Cognito settings, the banner says so and the development issuer is off', async () => {
  const { child, banner } = await start({
    PORT: '0',
    COGNITO_USER_POOL_ID: 'eu-west-1_Example02',
    COGNITO_CLIENT_ID: 'exampleclient',
  });
  running = child;
  expect(banner).toMatch(
    /Identity\s+Cognito user pool eu-west-1_Example02, app client exampleclient; the development issuer is off/,
  );
  expect(banner).not.toContain('/local/id-token');
  expect(banner).toContain("ID_TOKEN='<paste an ID token of your Cognito user pool here>'");
});

test('a bad setting stops start-up with a message that names it', async () => {
  await expect(start({ PORT: 'eighty' })).rejects.toMatchObject({
    message: 'exited with 1',
    stderr: expect.stringContaining('PORT must be a port number, not "eighty".'),
  });
});
