/**
 * The token service's configuration: one schema, used by the stack to validate what the
 * deployer set and by the function to read what the stack handed it.
 */
// zod/mini tree-shakes: the full zod build would add ~450 KB to the function bundle.

import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());

export const GRANTS = ['tts', 'stt', 'agent'] as const;
export type Grant = (typeof GRANTS)[number];

/** The wire form of a set of grants: `{"tts": true, …}`. */
export const grantFlags = (grants: readonly Grant[]): Partial<Record<Grant, true>> =>
  Object.fromEntries(grants.map((grant) => [grant, true]));

/** Cartesia refuses access tokens that live longer than an hour. */
export const CARTESIA_MAX_EXPIRES_IN = 3600;

/** Stand-in for "every signed-in user" in a grant policy. */
export const ANY_SIGNED_IN_USER = '*';

/** Bounds on reading the secret: a hanging Secrets Manager must not eat the function's timeout. */
export const SECRET_READ = { maxAttempts: 2, connectionTimeoutMs: 300, requestTimeoutMs: 1_000 } as const;
/** The longest one read of the secret can take, its retry included. */
export const SECRET_READ_MAX_MS =
  SECRET_READ.maxAttempts * (SECRET_READ.connectionTimeoutMs + SECRET_READ.requestTimeoutMs) + 200;

/** The environment variable that carries the service configuration into the function. */
export const SERVICE_CONFIG_ENV = 'TOKEN_SERVICE_CONFIG';
/** The environment variable that names the secret holding the Cartesia API key. */
export const SECRET_ID_ENV = 'CARTESIA_SECRET_ID';

// Context values given with `cdk deploy -c key=value` arrive as strings: accept both forms.
const fromString =
  (parse: (text: string) => unknown) =>
  (value: unknown): unknown =>
    typeof value === 'string' ? parse(value) : value;
/** A context string as JSON when it is JSON (numbers, booleans, objects, arrays), else as it is. */
export const fromJsonText = fromString((text) => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
});
/** A list given as a JSON array or as comma-separated text. */
const commaList = (value: unknown): unknown => {
  const parsed = fromJsonText(value);
  return typeof parsed === 'string'
    ? parsed
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : parsed;
};
const preprocess = <T extends z.ZodMiniType>(prepare: (value: unknown) => unknown, schema: T) =>
  z.pipe(z.transform(prepare), schema);
const wholeNumber = (min: number, max: number, fallback: number) =>
  z._default(preprocess(fromJsonText, z.int().check(z.minimum(min), z.maximum(max))), fallback);

/** Whether a host name (as `URL.hostname` gives it, or bare) is this machine's loopback. */
export const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
const isLoopback = (url: URL) => isLoopbackHost(url.hostname);

/** An origin as browsers send it: scheme, host and port, nothing else; https unless loopback. */
const origin = z.string().check(
  z.refine((value) => {
    try {
      const url = new URL(value);
      // URL() takes `*` as part of a host name: reject it outright (credentials never go to a wildcard).
      return !value.includes('*') && url.origin === value && (url.protocol === 'https:' || isLoopback(url));
    } catch {
      return false;
    }
  }, 'must be an exact origin such as https://app.example.com (no wildcard, path or trailing slash; https unless on loopback)'),
);

const httpsUrl = z.url().check(
  z.refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || isLoopback(url);
  }, 'must use https (plain http only on loopback, for local testing)'),
);

const grantGroups = z.array(z.string().check(z.minLength(1)));

export const DEFAULT_GRANT_POLICY: Record<Grant, string[]> = {
  tts: [ANY_SIGNED_IN_USER],
  stt: [ANY_SIGNED_IN_USER],
  agent: ['cartesia-agent'],
};

export const serviceConfigSchema = z
  .object({
    /** Origins of the web apps allowed to call the API with credentials. */
    allowedOrigins: preprocess(commaList, z.array(origin).check(z.minLength(1))),
    /** For each grant, the Cognito groups that may receive it; `*` is every signed-in user. */
    grantPolicy: z._default(
      preprocess(fromJsonText, z.strictObject({ tts: grantGroups, stt: grantGroups, agent: grantGroups })),
      DEFAULT_GRANT_POLICY,
    ),
    /** Token lifetime in seconds when the request names none. */
    defaultExpiresIn: wholeNumber(1, CARTESIA_MAX_EXPIRES_IN, 60),
    /** Longest token lifetime in seconds a request may ask for. */
    maxExpiresIn: wholeNumber(1, CARTESIA_MAX_EXPIRES_IN, 600),
    /** Name of the cookie that carries the token; `__Host-` keeps it on this exact host. */
    cookieName: z._default(
      z
        .string()
        .check(z.regex(/^__Host-[A-Za-z0-9_-]{1,64}$/, 'must start with __Host- followed by letters, digits, _ or -')),
      '__Host-cartesia_token',
    ),
    /** Also return the token in the JSON body (for websocket clients); off by default. */
    tokenInBody: z._default(preprocess(fromJsonText, z.boolean()), false),
    cartesiaBaseUrl: z._default(httpsUrl, 'https://api.cartesia.ai'),
    cartesiaVersion: z._default(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)), '2025-04-16'),
    /** Time allowed for one call to Cartesia, in milliseconds. */
    upstreamAttemptTimeoutMs: wholeNumber(50, 10_000, 3_000),
    /** Time allowed for all calls to Cartesia in one request, retries included. */
    upstreamDeadlineMs: wholeNumber(50, 20_000, 8_000),
    /** Calls to Cartesia per request at most, the first included. */
    upstreamMaxAttempts: wholeNumber(1, 5, 3),
    /** How long the function keeps the API key before reading the secret again. */
    secretCacheSeconds: wholeNumber(0, 3600, 300),
    /** Largest request body accepted, in bytes. */
    maxBodyBytes: wholeNumber(64, 65_536, 4_096),
  })
  .check(
    z.refine((config) => config.defaultExpiresIn <= config.maxExpiresIn, {
      message: 'defaultExpiresIn must not exceed maxExpiresIn',
      path: ['defaultExpiresIn'],
    }),
    z.refine((config) => config.upstreamAttemptTimeoutMs <= config.upstreamDeadlineMs, {
      message: 'upstreamAttemptTimeoutMs must not exceed upstreamDeadlineMs',
      path: ['upstreamAttemptTimeoutMs'],
    }),
  );

export type ServiceConfigInput = z.input<typeof serviceConfigSchema>;
export type ServiceConfig = z.output<typeof serviceConfigSchema>;

/** Turns schema issues into one sentence an operator can act on. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates a configuration and fills in defaults; throws with every problem named. */
export function parseServiceConfig(input: unknown): ServiceConfig {
  const result = serviceConfigSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`Invalid token service configuration: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/** What the function needs from its environment. */
export interface FunctionEnvironment {
  readonly config: ServiceConfig;
  readonly secretId: string;
}

/** The environment variables that carry a configuration into the function. */
export function toFunctionEnvironment(config: ServiceConfig, secretId: string): Record<string, string> {
  return { [SERVICE_CONFIG_ENV]: JSON.stringify(config), [SECRET_ID_ENV]: secretId };
}

/** Reads what {@link toFunctionEnvironment} wrote. */
export function fromFunctionEnvironment(env: NodeJS.ProcessEnv): FunctionEnvironment {
  const secretId = env[SECRET_ID_ENV];
  if (!secretId) throw new Error(`${SECRET_ID_ENV} is not set`);
  return { config: parseServiceConfig(JSON.parse(env[SERVICE_CONFIG_ENV] ?? '{}')), secretId };
}
