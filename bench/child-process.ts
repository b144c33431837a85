/**
 * Starts a bench child: a plain `node` (no tsx loader, no inherited flags) with the environment
 * Lambda would give the function. Its stdout and stderr are the function's log stream: the parent counts
 * the bytes, as CloudWatch would bill them, and throws them away. Results come back over IPC.
 */
import { spawn } from 'node:child_process';
import { API_KEY_ENV, BUNDLE_ENV } from './lambda-harness';

export interface ChildRun<T> {
  readonly result: T;
  /** Bytes the function wrote to stdout and stderr: its log lines, as CloudWatch would receive them. */
  readonly logBytes: number;
}

export interface ChildOptions {
  readonly script: string;
  readonly args?: readonly string[];
  readonly bundle: string;
  readonly apiKey: string;
  /** The function's own environment variables (configuration, NODE_OPTIONS, …). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** The variables the Lambda runtime sets that the function's libraries read. */
const RUNTIME_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'mint-token',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  // No instance metadata on this machine: never let an SDK go looking for it.
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * The `node` that runs the children: this one, or BENCH_NODE (e.g. a Node 24 binary, the
 * version the Lambda runtime has) to measure on another version.
 */
export const CHILD_NODE = process.env.BENCH_NODE || process.execPath;

export function runChild<T>(options: ChildOptions): Promise<ChildRun<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(CHILD_NODE, [options.script, ...(options.args ?? [])], {
      env: {
        PATH: process.env.PATH ?? '',
        ...RUNTIME_ENV,
        ...options.env,
        [BUNDLE_ENV]: options.bundle,
        [API_KEY_ENV]: options.apiKey,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let logBytes = 0;
    let errors = '';
    let result: T | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      logBytes += chunk.length;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      logBytes += chunk.length;
      errors += chunk.toString('utf8');
    });
    child.on('message', (message) => {
      result = message as T;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolve({ result, logBytes });
      // stderr may quote a stack trace, never a key: the key lives only in the secret mock and the stand-in.
      else
        reject(
          new Error(
            `${options.script} ${options.args?.join(' ') ?? ''} ended with ${signal ?? code}: ${errors.slice(-2000)}`,
          ),
        );
    });
  });
}
