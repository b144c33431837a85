/**
 * fast-check generators of hostile requests to `POST /token` and `DELETE /token`. Each starts
 * from a valid request (with harmless noise: odd origins, extra and duplicated headers, strange
 * claims) and applies one defect family; `contractErrors` then keeps only requests that have
 * earned an error, so no generated request can be accidentally valid.
 */
import fc from 'fast-check';
import { APP_ORIGIN } from '../support/api-event';
import {
  AGENT_GROUP,
  type ClientRequest,
  type ContractLimits,
  contractErrors,
  JSON_MEDIA_TYPES,
  NON_JSON_MEDIA_TYPES,
} from './request-oracle';

export interface HostileRequest {
  /** The defect family that made it, for coverage counts. */
  readonly category: string;
  readonly request: ClientRequest;
  /** The error statuses the contract allows for it (never empty). */
  readonly allowed: readonly number[];
}

/** Values the service must never echo: the Authorization and Cookie values sent. */
export function secretsSentBy(request: ClientRequest): string[] {
  return request.headers.flatMap(([name, value]) => {
    if (name.toLowerCase() === 'authorization') return [value, value.replace(/^Bearer\s+/i, '')];
    if (name.toLowerCase() === 'cookie')
      return value.split(';').map((pair) => pair.slice(pair.indexOf('=') + 1).trim());
    return [];
  });
}

// ---- building blocks -------------------------------------------------------------------

type Pairs = readonly (readonly [string, string])[];
/** JSON object text from ordered key/raw-value pairs: keeps duplicates, odd keys and raw number text. */
const objectText = (pairs: Pairs) => `{${pairs.map(([key, raw]) => `${JSON.stringify(key)}:${raw}`).join(',')}}`;

interface BodyParts {
  readonly grants: Pairs;
  readonly root: Pairs;
}
const bodyText = ({ grants, root }: BodyParts) => objectText([['grants', objectText(grants)], ...root]);

const randomBase64url = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((bytes) => Buffer.from(bytes).toString('base64url'));
const printable = fc.string({
  unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))),
  maxLength: 40,
});

/** A valid body: some of tts/stt true (agent needs a group, added by its own family), maybe a lifetime. */
const validBodyParts = (limits: ContractLimits): fc.Arbitrary<BodyParts> =>
  fc
    .record({
      tts: fc.option(fc.boolean(), { nil: undefined }),
      stt: fc.option(fc.boolean(), { nil: undefined }),
      expiresIn: fc.option(fc.integer({ min: 1, max: limits.maxExpiresIn }), { nil: undefined }),
    })
    .filter(({ tts, stt }) => tts === true || stt === true)
    .map(({ tts, stt, expiresIn }) => ({
      grants: [
        ...(tts === undefined ? [] : [['tts', String(tts)] as const]),
        ...(stt === undefined ? [] : [['stt', String(stt)] as const]),
      ],
      root: expiresIn === undefined ? [] : [['expires_in', String(expiresIn)] as const],
    }));

/** cognito:groups claims a user pool could hold that never make the caller an agent. */
export const strangeGroups = fc
  .oneof(
    fc.constantFrom(
      '',
      '[]',
      '[',
      ']',
      '[,]',
      ',,,',
      '["staff",',
      '[staff',
      'null',
      '{}',
      '[["x"]]',
      'cartesia_agent',
      'Cartesia-Agent',
      'CARTESIA-AGENT',
      'cartesia\u2010agent',
      'cartesia-\u0430gent',
      'cartesia-agen',
      'cartesiaagent',
      'cartesia -agent',
      '["cartesia", "agent"]',
      'staff,admin',
      '[staff admin]',
    ),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.array(fc.stringMatching(/^[\w-]{1,16}$/), { maxLength: 5 }).map((groups) => `[${groups.join(' ')}]`),
  )
  .filter((groups) => !groups.includes(AGENT_GROUP));

const headerCase = (name: string) => fc.mixedCase(fc.constant(name));

/** Headers a browser or a script might send: none of them alone makes a request invalid. */
const noiseHeaders = fc
  .record({
    contentTypes: fc.array(fc.constantFrom(...JSON_MEDIA_TYPES), { minLength: 1, maxLength: 2 }),
    contentTypeName: headerCase('content-type'),
    origins: fc.array(
      fc.constantFrom(
        APP_ORIGIN,
        'https://evil.example.net',
        'https://app.example.com.evil.net',
        'http://app.example.com',
        'null',
        'constructor',
        '__proto__',
        'toString',
      ),
      { maxLength: 2 },
    ),
    authorizations: fc.array(
      randomBase64url(18, 40).map((value) => `Bearer ${value}`),
      { maxLength: 2 },
    ),
    cookie: fc.option(
      randomBase64url(18, 30).map((value) => `__Host-cartesia_token=sim_tok_${value}`),
      { nil: undefined },
    ),
    extra: fc.array(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable), { maxLength: 4 }),
  })
  .chain((noise) =>
    fc
      .shuffledSubarray(
        [
          ...noise.contentTypes.map((value) => [noise.contentTypeName, value] as const),
          ...noise.origins.map((value) => ['Origin', value] as const),
          ...noise.authorizations.map((value) => ['Authorization', value] as const),
          ...(noise.cookie ? [['Cookie', noise.cookie] as const] : []),
          ...noise.extra.map(([name, value]) => [name, value.trim()] as const),
        ],
        { minLength: 0 },
      )
      .map((shuffled) => {
        // Keep every content-type: dropping them all is the media-type family's job.
        const rest = shuffled.filter(([name]) => name.toLowerCase() !== 'content-type');
        return [...noise.contentTypes.map((value) => [noise.contentTypeName, value] as const), ...rest];
      }),
  );

/** Claims of a signed-in user, some of them odd in ways that must not matter. */
const signedInClaims = fc
  .record({
    sub: fc.oneof(fc.uuid(), fc.string({ unit: 'binary', minLength: 1, maxLength: 64 })),
    username: fc.string({ maxLength: 20 }),
    groups: fc.option(strangeGroups, { nil: undefined }),
  })
  .filter(({ sub }) => sub.trim() !== '')
  .map(({ sub, username, groups }) => ({
    sub,
    'cognito:username': username,
    ...(groups === undefined ? {} : { 'cognito:groups': groups }),
  }));

interface Base {
  readonly request: ClientRequest;
  readonly parts: BodyParts;
}

const baseRequest = (limits: ContractLimits): fc.Arbitrary<Base> =>
  fc.record({ parts: validBodyParts(limits), headers: noiseHeaders, claims: signedInClaims }).map((base) => ({
    parts: base.parts,
    request: {
      method: 'POST',
      headers: base.headers,
      body: bodyText(base.parts),
      isBase64Encoded: false,
      claims: base.claims,
    },
  }));

type Defect = (base: Base) => ClientRequest;
const family = (category: string, defect: fc.Arbitrary<Defect>) => defect.map((apply) => ({ category, apply }));
const withBody = (base: Base, body: string | null, isBase64Encoded = false): ClientRequest => ({
  ...base.request,
  body,
  isBase64Encoded,
});
const withParts = (base: Base, parts: (parts: BodyParts) => BodyParts) => withBody(base, bodyText(parts(base.parts)));

// ---- defect families -------------------------------------------------------------------

const anyJson = fc.jsonValue({ maxDepth: 3 });

const randomJson = family(
  'random JSON',
  anyJson
    .filter((value) => !(typeof value === 'object' && value !== null && !Array.isArray(value) && 'grants' in value))
    .map((value) => (base: Base) => withBody(base, JSON.stringify(value))),
);

const deepNesting = family(
  'deeply nested JSON',
  fc.oneof(
    fc.integer({ min: 10, max: 1400 }).map((depth) => (base: Base) => {
      return withBody(base, `${'['.repeat(depth)}${bodyText(base.parts)}${']'.repeat(depth)}`);
    }),
    fc.integer({ min: 1, max: 400 }).map((depth) => (base: Base) => {
      return withBody(base, `{"grants":${'{"tts":'.repeat(depth)}true${'}'.repeat(depth)}}`);
    }),
    fc.integer({ min: 1, max: 300 }).map((depth) => (base: Base) => {
      return withParts(base, (parts) => ({
        ...parts,
        root: [['expires_in', `${'['.repeat(depth)}60${']'.repeat(depth)}`]],
      }));
    }),
  ),
);

const wrongValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
  fc.array(anyJson, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 3 }),
);

const wrongTypes = family(
  'wrong types',
  fc
    .tuple(fc.constantFrom('body', 'grants', 'tts', 'stt', 'agent', 'expires_in'), wrongValue)
    .map(([where, value]) => (base: Base) => {
      const raw = JSON.stringify(value);
      if (where === 'body') return withBody(base, raw);
      if (where === 'grants') return withBody(base, objectText([['grants', raw], ...base.parts.root]));
      if (where === 'expires_in') return withParts(base, (parts) => ({ ...parts, root: [['expires_in', raw]] }));
      return withParts(base, (parts) => ({
        ...parts,
        grants: [...parts.grants.filter(([name]) => name !== where), [where, raw]],
      }));
    }),
);

const unknownKey = fc
  .oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'TTS',
      'Grants',
      'grants ',
      'expiresIn',
      'expires-in',
      'token',
      'sub',
      'cognito:groups',
      '\u0000',
      '\ud800',
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  )
  .filter((key) => !['grants', 'expires_in', 'tts', 'stt', 'agent'].includes(key));

const unknownFields = family(
  'unknown fields',
  fc.tuple(fc.constantFrom('root', 'grants'), unknownKey, anyJson).map(
    ([level, key, value]) =>
      (base: Base) =>
        withParts(base, (parts) =>
          level === 'root'
            ? { ...parts, root: [...parts.root, [key, JSON.stringify(value)]] }
            : { ...parts, grants: [...parts.grants, [key, JSON.stringify(value)]] },
        ),
  ),
);

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[1-9][0-9]{${min - 1},${max - 1}}$`));
const hugeNumbers = family(
  'huge and odd numbers',
  fc
    .oneof(
      digits(4, 400),
      digits(1, 3).map((value) => `-${value}`),
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 3, max: 500 })).map(([m, e]) => `${m}e${e}`),
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 500 })).map(([m, e]) => `${m}e-${e}`),
      fc.tuple(fc.integer({ min: 1, max: 599 }), digits(1, 20)).map(([i, f]) => `${i}.${f}`),
      fc.constantFrom('0', '-0', '601', '9007199254740993', '1e21', '-1e400', '1e400', '0.0'),
    )
    .map((raw) => (base: Base) => withParts(base, (parts) => ({ ...parts, root: [['expires_in', raw]] }))),
);

const noGrant = family(
  'no grant set to true',
  fc
    .subarray(['tts', 'stt', 'agent'])
    .map(
      (names) => (base: Base) =>
        withParts(base, (parts) => ({ ...parts, grants: names.map((name) => [name, 'false'] as const) })),
    ),
);

const malformedJson = family(
  'malformed JSON',
  fc.oneof(
    fc.nat().map((cut) => (base: Base) => {
      const text = bodyText(base.parts);
      return withBody(base, text.slice(0, cut % text.length));
    }),
    fc
      .constantFrom(
        '{',
        '}',
        'nul',
        'undefined',
        'NaN',
        "{'grants':{'tts':true}}",
        '{"grants":{"tts":true},}',
        '{"grants":{"tts":true}} {"grants":{"tts":true}}',
        '{"grants":{"tts":True}}',
        '{"grants":{"tts":true}} // comment',
        '{grants:{tts:true}}',
      )
      .map((text) => (base: Base) => withBody(base, text)),
  ),
);

const base64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64');
const oddEncodings = family(
  'odd encodings',
  fc.oneof(
    // Random bytes with at least one that can't start valid UTF-8.
    fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0x80, max: 0xff })).map(
      ([bytes, bad]) =>
        (base: Base) =>
          withBody(base, base64(Buffer.concat([Buffer.from(bytes), Buffer.from([bad])])), true),
    ),
    fc.constantFrom([0xff], [0xfe, 0xff], [0xc3], [0xed, 0xa0, 0x80]).map((bad) => (base: Base) => {
      const [head, tail] = ['{"grants":{"tts":true},"', '":1}'];
      return withBody(base, base64(Buffer.concat([Buffer.from(head), Buffer.from(bad), Buffer.from(tail)])), true);
    }),
    fc.constant((base: Base) => withBody(base, `\ufeff${bodyText(base.parts)}`)),
    fc.constant((base: Base) =>
      withBody(base, base64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bodyText(base.parts))])), true),
    ),
    fc.constant((base: Base) => withBody(base, base64(Buffer.from(bodyText(base.parts), 'utf16le')), true)),
    fc.constant((base: Base) => withBody(base, base64(Buffer.from(bodyText(base.parts))), false)),
    fc.constant((base: Base) => withBody(base, encodeURIComponent(bodyText(base.parts)))),
    fc.constant((base: Base) => withBody(base, 'grants%5Btts%5D=true')),
  ),
);

const oversized = (limits: ContractLimits) =>
  family(
    'oversized bodies',
    fc.oneof(
      fc.integer({ min: limits.maxBodyBytes + 256, max: limits.maxBodyBytes * 4 }).map((size) => (base: Base) => {
        const text = bodyText(base.parts);
        return withBody(base, text + ' '.repeat(size - text.length));
      }),
      // Fewer characters than the limit, more bytes: the limit is in bytes.
      fc.constant((base: Base) =>
        withParts(base, (parts) => ({
          ...parts,
          root: [['pad', JSON.stringify('é'.repeat(Math.ceil(limits.maxBodyBytes * 0.55)))]],
        })),
      ),
      fc.integer({ min: limits.maxBodyBytes + 256, max: limits.maxBodyBytes * 2 }).map((size) => (base: Base) => {
        const text = bodyText(base.parts);
        return withBody(base, base64(Buffer.from(text + ' '.repeat(size - text.length))), true);
      }),
    ),
  );

const mediaTypes = family(
  'wrong or missing media type',
  fc
    .array(fc.tuple(headerCase('content-type'), fc.constantFrom(...NON_JSON_MEDIA_TYPES)), { maxLength: 2 })
    .map((contentTypes) => (base: Base) => ({
      ...base.request,
      headers: [...base.request.headers.filter(([name]) => name.toLowerCase() !== 'content-type'), ...contentTypes],
    })),
);

const missingCaller = family(
  'no signed-in caller',
  fc
    .tuple(
      fc.constantFrom('POST', 'DELETE'),
      fc.constantFrom<Record<string, string> | null>(
        null,
        {},
        { sub: '' },
        { sub: '   ' },
        { 'cognito:username': 'alice' },
        { 'cognito:groups': 'cartesia-agent' },
      ),
    )
    .map(([method, claims]) => (base: Base) => ({ ...base.request, method, claims })),
);

const forbiddenGrant = family(
  'agent without the group',
  fc.option(strangeGroups, { nil: undefined }).map((groups) => (base: Base) => {
    const { 'cognito:groups': _, ...claims } = base.request.claims ?? {};
    return {
      ...withParts(base, (parts) => ({ ...parts, grants: [...parts.grants, ['agent', 'true']] })),
      claims: {
        ...claims,
        sub: base.request.claims?.sub ?? 'user',
        ...(groups === undefined ? {} : { 'cognito:groups': groups }),
      },
    };
  }),
);

/** Methods the route does not serve (OPTIONS is the gateway's preflight, not a hostile request). */
export const UNSERVED_METHODS = ['GET', 'PUT', 'PATCH', 'TRACE', 'post', 'Delete', 'PROPFIND', 'MERGE'];
const wrongMethod = (methods: readonly string[]) =>
  family(
    'wrong method',
    fc.constantFrom(...methods).map((method) => (base: Base) => ({ ...base.request, method })),
  );

/** Every family, for the handler (which sees any method string). */
export function hostileRequests(
  limits: ContractLimits,
  methods: readonly string[] = [...UNSERVED_METHODS, 'HEAD', '__proto__', 'constructor', 'toString', ''],
): fc.Arbitrary<HostileRequest> {
  const families = [
    randomJson,
    deepNesting,
    wrongTypes,
    unknownFields,
    hugeNumbers,
    noGrant,
    malformedJson,
    oddEncodings,
    oversized(limits),
    mediaTypes,
    missingCaller,
    forbiddenGrant,
    wrongMethod(methods),
  ];
  return fc
    .tuple(baseRequest(limits), fc.oneof(...families))
    .map(([base, { category, apply }]) => {
      const request = apply(base);
      return { category, request, allowed: [...contractErrors(request, limits)] };
    })
    .filter(({ allowed }) => allowed.length > 0);
}

/** The categories {@link hostileRequests} draws from, to check that a run covered each. */
export const CATEGORIES = [
  'random JSON',
  'deeply nested JSON',
  'wrong types',
  'unknown fields',
  'huge and odd numbers',
  'no grant set to true',
  'malformed JSON',
  'odd encodings',
  'oversized bodies',
  'wrong or missing media type',
  'no signed-in caller',
  'agent without the group',
  'wrong method',
];

/** Valid requests made the same way, as the positive control: the harness must see them succeed. */
export const validRequests = (limits: ContractLimits): fc.Arbitrary<ClientRequest> =>
  baseRequest(limits)
    .map(({ request }) => request)
    .filter((request) => contractErrors(request, limits).size === 0);
