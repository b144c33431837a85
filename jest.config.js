/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @swc/jest does the transform (ts-jest has no TypeScript 7 support); tsc does the type check.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // middy 6 and jose are ESM-only: let swc turn them into CommonJS for jest too.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testTimeout: 30000,
};
