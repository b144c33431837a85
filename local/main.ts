/** `npm start`: the local API on PORT (default 3000), with the start-up banner. */
import { startupBanner } from './banner';
import { startLocalApi } from './server';

const DEFAULT_PORT = 3000;

function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be a port number, not "${value}".`);
  return port;
}

async function main() {
  const api = await startLocalApi({ port: portFrom(process.env.PORT), host: process.env.HOST || undefined });
  process.stdout.write(startupBanner(api));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      api.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: Error) => {
  console.error(`The local API did not start: ${error.message}`);
  process.exit(1);
});
