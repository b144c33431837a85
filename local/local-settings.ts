/**
 * The local API's environment variables, read in one place. Every part has an embedded
 * default, so `npm start` works with none of them set.
 */
import { parseServiceConfig, SERVICE_CONFIG_ENV, type ServiceConfig } from '../lambda/mint-token/config';

export interface LocalSettings {
  /** A real Cognito user pool, or the embedded development issuer when absent. */
  readonly cognito?: { readonly userPoolId: string; readonly clientId: string };
  /** The real Cartesia key, or the offline simulator when absent. */
  readonly cartesiaApiKey?: string;
  /** The service configuration, once the page's origin (and the simulator's URL, if one runs) are known. */
  serviceConfig(local: { pageOrigin: string; simulatorUrl?: string }): ServiceConfig;
}

const set = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

export function readLocalSettings(env: NodeJS.ProcessEnv): LocalSettings {
  const userPoolId = set(env.COGNITO_USER_POOL_ID);
  const clientId = set(env.COGNITO_CLIENT_ID);
  if (Boolean(userPoolId) !== Boolean(clientId)) {
    throw new Error('Set both COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to use a Cognito user pool, or neither.');
  }
  const cartesiaApiKey = set(env.CARTESIA_API_KEY);
  const cartesiaBaseUrl = set(env.CARTESIA_BASE_URL);
  if (cartesiaBaseUrl && !cartesiaApiKey) {
    throw new Error('CARTESIA_BASE_URL is set but CARTESIA_API_KEY is not: set the key too, or neither.');
  }

  let base: Record<string, unknown> = {};
  const configText = set(env[SERVICE_CONFIG_ENV]);
  if (configText) {
    try {
      base = JSON.parse(configText);
    } catch {
      throw new Error(`${SERVICE_CONFIG_ENV} must be a JSON object of service settings.`);
    }
  }
  const extraOrigins = (set(env.ALLOWED_ORIGINS) ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const cartesiaVersion = set(env.CARTESIA_VERSION);

  return {
    cognito: userPoolId && clientId ? { userPoolId, clientId } : undefined,
    cartesiaApiKey,
    serviceConfig: ({ pageOrigin, simulatorUrl }) =>
      parseServiceConfig({
        // Read the key on every request: the "secret" is an environment variable, and middy's
        // cache is per process, so several local APIs in one process would share one key.
        secretCacheSeconds: 0,
        ...base,
        // The demo page's own origin is always allowed.
        allowedOrigins: [...new Set([pageOrigin, ...extraOrigins])],
        // Neither set: the schema's default, Cartesia itself.
        cartesiaBaseUrl: cartesiaBaseUrl ?? simulatorUrl,
        ...(cartesiaVersion ? { cartesiaVersion } : {}),
      }),
  };
}
