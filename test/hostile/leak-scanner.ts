/**
 * Finds secrets in what the service wrote and answered. Tests register every secret they
 * handle (API keys, issued tokens, Authorization and cookie values) and every piece of output
 * (log text, response bodies and headers); the scanner reports any secret found in any output,
 * raw or in the encodings a careless log line would use.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

export interface Leak {
  /** What the secret was, e.g. "issued token #3"; never the value itself. */
  readonly secret: string;
  /** Where it was found, e.g. "response body of row 4". */
  readonly where: string;
  readonly encoding: string;
}

/** Shorter values would match by chance; every secret the tests use is longer. */
const MIN_SECRET_LENGTH = 12;

const ENCODINGS: Record<string, (value: string) => string> = {
  raw: (value) => value,
  'URL-encoded': encodeURIComponent,
  'JSON-escaped': (value) => JSON.stringify(value).slice(1, -1),
  base64: (value) => Buffer.from(value).toString('base64').replace(/=+$/, ''),
  base64url: (value) => Buffer.from(value).toString('base64url'),
};

export class LeakScanner {
  private readonly secrets = new Map<string, string>();
  private readonly outputs: { where: string; text: string }[] = [];

  /** Registers a value that must appear in no output. */
  secret(label: string, value: string | undefined | null): void {
    if (!value || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    this.secrets.set(value, label);
  }

  /** Registers a piece of output to scan. */
  output(where: string, text: string | undefined | null): void {
    if (text) this.outputs.push({ where, text });
  }

  /**
   * Registers a handler response. The one place a token may travel is the Set-Cookie of a 200
   * (`cookieName=<token>`): that header is left out; every other header and the body are scanned.
   */
  response(where: string, response: Pick<APIGatewayProxyResult, 'statusCode' | 'body' | 'headers'>): void {
    this.output(`${where}: body`, response.body);
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      if (response.statusCode === 200 && name.toLowerCase() === 'set-cookie') continue;
      this.output(`${where}: header ${name}`, `${name}: ${value}`);
    }
  }

  get secretCount(): number {
    return this.secrets.size;
  }

  /** Every secret found in every output, in every encoding. */
  findLeaks(): Leak[] {
    // One pass over everything first; only a hit is traced back to the outputs that hold it.
    const everything = this.outputs.map(({ text }) => text).join('\n');
    const leaks: Leak[] = [];
    for (const [value, secret] of this.secrets) {
      for (const [encoding, encode] of Object.entries(ENCODINGS)) {
        const needle = encode(value);
        if ((encoding !== 'raw' && needle === value) || !everything.includes(needle)) continue;
        for (const { where, text } of this.outputs) {
          if (text.includes(needle)) leaks.push({ secret, where, encoding });
        }
      }
    }
    return leaks;
  }
}
