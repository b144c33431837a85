/** What the CORS preflight and every answer allow, for the function, the stack and the local API alike. */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type'] as const;
export const CORS_ALLOW_METHODS = ['POST', 'DELETE', 'OPTIONS'] as const;
/** How long browsers may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 3600;
