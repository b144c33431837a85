/** The performance budgets of issue 5: `npm run bench` fails when one is broken. */
export const BUDGETS = {
  /** Minified bundle, AWS SDK included if bundled. */
  bundleBytes: 250 * 1024,
  /** Cold start over the baseline bundle's. */
  coldStartRatio: 1.5,
  /** Warm request over a bare fetch to the same Cartesia stand-in. */
  warmRatio: 1.2,
  /** Upstream TCP connections per 1,000 sequential mints. */
  connectionsPerThousandMints: 1,
  /** Secrets Manager calls per 1,000 warm requests after the first, within a cache window. */
  secretCallsAfterFirst: 0,
} as const;
