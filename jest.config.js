// jest runs in CommonJS mode; @swc/jest compiles the ESM sources (and the ESM-only packages listed below) to CommonJS.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const esmPackages = [
  '@fastify/cookie',
  'content-disposition',
  '@nestjs',
  'cookie',
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  '@tokenizer',
  'load-esm',
];

const shared = {
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '^@app/(core|database|redis|queue|testing|embedded|api-client)$': '<rootDir>/libs/$1/src/index.ts',
    '^@api/([a-z-]+)$': '<rootDir>/apps/api/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup/quiet-logs.ts'],
};

// Suites that cross a boundary share one real stack (global setup); each kind has its own project and npm script.
const stackSuite = (displayName, pattern) => ({
  ...shared,
  displayName,
  testMatch: [`<rootDir>/test/${pattern}`],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
});

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    // The api's modules in-process (a Nest testing module) on the same real stack, without HTTP: rules in seconds.
    stackSuite('medium', 'medium/**/*.medium-spec.ts'),
    stackSuite('e2e', '*.e2e-spec.ts'),
    stackSuite('faults', 'faults/**/*.fault-spec.ts'),
    stackSuite('security', 'security/**/*.security-spec.ts'),
    // Says plainly when Chromium is missing, before any test runs.
    { ...stackSuite('browser', 'browser/**/*.browser-spec.ts'), globalSetup: '<rootDir>/test/setup/browser-setup.ts' },
  ],
  maxWorkers: 2,
  testTimeout: 30_000,
};
