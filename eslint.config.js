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
  },
  {
    // Node scripts (bench, test support, the SDK's build CLI) and the root config files: no tsconfig
    // covers them, so no type-aware rules.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '*.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
