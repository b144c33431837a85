/** What `npm start` prints: where things are, what each part runs as, and a curl example that works as printed. */
import { ID_TOKEN_PATH, type LocalApi, TOKEN_PATH } from './server';

/** Marks the lines of the curl example, so they are easy to find (and for a test to run). */
export const CURL_EXAMPLE_HEADING = 'Try it with curl (copy and paste):';

export function curlExample(api: LocalApi): string[] {
  const idToken = api.devIssuer
    ? `ID_TOKEN=$(curl -sS -X POST ${api.url}${ID_TOKEN_PATH} -H 'Content-Type: application/json' -d '{"username":"alice","groups":["cartesia-agent"]}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).id_token')`
    : `ID_TOKEN='<paste an ID token of your Cognito user pool here>'`;
  return [
    idToken,
    `curl -sS -i -X POST ${api.url}${TOKEN_PATH} -H "Authorization: $ID_TOKEN" -H 'Content-Type: application/json' -d '{"grants":{"tts":true,"agent":true},"expires_in":60}'`,
  ];
}

export function startupBanner(api: LocalApi): string {
  const identity = api.devIssuer
    ? `development issuer (LOCAL ONLY: POST ${ID_TOKEN_PATH} signs an ID token for any user and groups)`
    : `${api.identity.description}; the development issuer is off`;
  const cartesia = api.simulator
    ? `offline simulator at ${api.upstream.url}: its tokens only work against this simulator, not against Cartesia (set CARTESIA_API_KEY for real tokens)`
    : `${api.upstream.url} (Cartesia-Version ${api.upstream.version}), key from CARTESIA_API_KEY`;
  const rows = [
    [
      'Demo page',
      `${api.pageUrl}/  (open this one: the cookie belongs to localhost; a page on 127.0.0.1 is another site)`,
    ],
    ['API', `POST and DELETE ${api.url}${TOKEN_PATH}`],
    ['Handler', 'lambda/mint-token, the same middy pipeline the Lambda runs, behind an API Gateway stand-in'],
    ['Identity', identity],
    ['Cartesia', cartesia],
    ['Allowed origins', api.config.allowedOrigins.join(', ')],
  ];
  return [
    '',
    'cartesia-token-vending: local API (for development, not for production)',
    '',
    ...rows.map(([name, value]) => `  ${name.padEnd(16)} ${value}`),
    '',
    CURL_EXAMPLE_HEADING,
    '',
    ...curlExample(api).map((line) => `  ${line}`),
    '',
    'Stop with Ctrl+C.',
    '',
  ].join('\n');
}
