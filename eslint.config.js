// ESLint for the whole repository (`pnpm lint`). TypeScript is linted with type information from the
// same tsconfigs `pnpm typecheck` uses (sources and their tests); plain .js/.mjs scripts without it.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      // rapidbyte-build output: the bundled guest, the generated WIT bindings, the component.
      'connectors/*/build/**',
      'tests/fixtures/connectors/*/build/**',
      '.rapidbyte/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: [
          'packages/*/tsconfig.test.json',
          'connectors/*/tsconfig.test.json',
          'tests/fixtures/connectors/*/tsconfig.json',
          'tests/support/tsconfig.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // The indexed-access casts (`xs[i] as number`, `xs[0]!`) are written as if
      // noUncheckedIndexedAccess were on; removing the ~200 of them is churn that finds no bug.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // An async method without await is how a synchronous implementation of a Promise interface
      // (the SQLite state store) turns its throws into rejections.
      '@typescript-eslint/require-await': 'off',
      // String(v) on a value narrowed away from objects is intended; the rule cannot see the narrowing.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A `let` that a closure reads before its one assignment (interruptibleDelay) would be in the
      // temporal dead zone as a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Library code reports through its logger and errors; a test that prints says so inline.
    files: ['**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // A connector step is a generator even when it yields nothing (test doubles of steps).
    files: ['connectors/*/test/**/*.ts'],
    rules: { 'require-yield': 'off' },
  },
  {
    // Tests assert on parsed CLI JSON and use vitest's asymmetric matchers (expect.stringContaining),
    // both typed `any`.
    files: ['tests/**/*.ts', 'connectors/*/test/**/*.ts', '**/*.test.ts', '**/test-support/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Node scripts (bench, test support, the SDK's build CLI) and the root config files: no tsconfig
    // covers them, so no type-aware rules.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '*.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
