/**
 * Powertools Logger's surface as the function uses it (`info`, `error`, `injectLambdaContext`),
 * in a few lines. Built into one variant of the bundle in place of
 * `@aws-lambda-powertools/logger` to measure what Powertools costs; never deployed.
 */
import type { Context } from 'aws-lambda';

export class Logger {
  private context: Record<string, unknown> = {};

  info(message: string, extra: Record<string, unknown> = {}): void {
    this.write('INFO', message, extra);
  }

  error(message: string, extra: Record<string, unknown> = {}): void {
    this.write('ERROR', message, extra);
  }

  addContext(context: Context): void {
    this.context = { function_request_id: context.awsRequestId, function_name: context.functionName };
  }

  private write(level: string, message: string, extra: Record<string, unknown>): void {
    const line = { level, message, timestamp: new Date().toISOString(), ...this.context, ...extra };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

export function injectLambdaContext(logger: Logger) {
  return { before: ({ context }: { context: Context }) => logger.addContext(context) };
}
