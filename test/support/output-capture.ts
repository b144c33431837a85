/** Captures everything written to stdout, stderr and the console while a suite runs. */
export interface OutputCapture {
  text(): string;
  restore(): void;
}

export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = record as typeof process.stdout.write;
  process.stderr.write = record as typeof process.stderr.write;
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((name) => console[name]);
  for (const name of methods) console[name] = (...args: unknown[]) => record(`${args.map(String).join(' ')}\n`);
  return {
    text: () => chunks.join(''),
    restore: () => {
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
      methods.forEach((name, i) => {
        console[name] = originals[i];
      });
    },
  };
}
