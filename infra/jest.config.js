/**
 * Template tests for the CDK app, and the structural checks on docker/ and .github/workflows/ (which cannot run
 * here: no Docker engine, no GitHub runner). @swc/jest strips the types; `npm run typecheck` checks them.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
    ],
  },
  maxWorkers: 2,
  testTimeout: 60_000,
};
