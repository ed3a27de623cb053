import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Import boundaries (STYLE.md "Shape"), enforced with the core no-restricted-imports rule.
// Several config objects set that rule for nested globs; the last matching object wins, so every
// object carries the complete list of patterns for the files it matches.

/** How deep a folder tree is linted for boundaries; deeper files only keep the shared rules. */
const MAX_DEPTH = 8;

const sharedPatterns = [
  {
    regex: '^@app/[^/]+/',
    message: 'Import a lib only through its entry point, `@app/<lib>`.',
  },
  {
    regex: '^\\.\\.?/(.*/)?libs(/|$)',
    message: 'Import a lib as `@app/<lib>`, never by relative path.',
  },
];

const noAppsPattern = {
  regex: '(^|/)apps(/|$)',
  message: 'Libs never import from apps.',
};

/** A pattern matching relative specifiers that climb more than `depth` folders. */
const climbsAbove = (depth, message) => ({
  regex: `^(\\./)?(\\.\\./){${depth}}\\.\\.(/|$)`,
  message,
});

/**
 * One config object per folder depth below `root` (a glob of the boundary folder), forbidding `../`
 * imports that leave it.
 */
const stayInside = (root, message, extraPatterns = []) =>
  Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    files: [`${root}/${'*/'.repeat(depth)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...sharedPatterns, ...extraPatterns, climbsAbove(depth, message)] },
      ],
    },
  }));

export default defineConfig(
  globalIgnores(['dist/', '.data/', 'coverage/', 'infra/', 'docker/', 'bench/results/']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // emitDecoratorMetadata needs value imports of the classes Nest injects; never force `import type`.
      '@typescript-eslint/consistent-type-imports': 'off',
      // A DTO property keeps its annotation (`page: number = 1`): without it emitDecoratorMetadata records Object as
      // its design:type, which the ValidationPipe's transform relies on.
      '@typescript-eslint/no-inferrable-types': ['error', { ignoreProperties: true }],
      'no-restricted-imports': ['error', { patterns: sharedPatterns }],
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (STYLE.md: no default exports).' },
        {
          selector: "ExportSpecifier[exported.name='default']",
          message: 'Use named exports (STYLE.md: no default exports).',
        },
      ],
    },
  },
  // A lib stays inside libs/<lib>/src and never reaches into apps.
  stayInside('libs/*/src', 'A lib imports other libs as `@app/<lib>`, never by relative path.', [noAppsPattern]),
  // An app stays inside apps/<app>/src: it never imports another app, nor a lib by path.
  stayInside('apps/*/src', 'An app never imports another app; import libs as `@app/<lib>`.'),
  // Inside the api, a bounded context (the first folder under apps/api/src) uses `./` only.
  stayInside('apps/api/src/*', 'A bounded context imports inside itself with `./`, never out of it with `../`.'),
  {
    // Jest matchers and mocks are loosely typed; only the no-unsafe-* family and unbound-method are relaxed.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
