/** The Cartesia API key as the secret holds it: the raw key, or JSON `{"apiKey": "…"}`. */
import { ApiError } from './errors';

/** Whole values that mean "nobody has put the key in yet" (anchored: real keys are random). */
const PLACEHOLDER = /^(|<.*>|replace[\w-]*|[\w-]*placeholder[\w-]*|change[\w-]*me|your[\w-]*key|todo|x+|.*\.\.\.)$/i;

/**
 * What a key can be: visible ASCII (it travels in an HTTP header), not starting like JSON
 * (middy hands over JSON it could not parse as a plain string, which must never be sent as a key).
 */
const USABLE_KEY = /^(?![{["])[!-~]+$/;

/** The operator's next step, for the log line that goes with a 503. */
export const PUT_KEY_HINT =
  'Put the Cartesia API key into the secret: aws secretsmanager put-secret-value --secret-id <secret> --secret-string file://key.json (key.json holds {"apiKey":"sk_car_..."})';

/**
 * Extracts the key from a secret value (middy parses JSON secrets into objects).
 * A missing, empty or placeholder key is a 503 `not_configured`: the deployer has a step left.
 */
export function apiKeyFromSecret(value: unknown): string {
  const key = typeof value === 'object' && value !== null ? (value as { apiKey?: unknown }).apiKey : value;
  if (typeof key !== 'string' || PLACEHOLDER.test(key.trim()) || !USABLE_KEY.test(key.trim())) {
    throw new ApiError(503, 'not_configured', 'The token service is not configured yet.');
  }
  return key.trim();
}
