// Lint for the server (src, test, bench, lab, scripts, bin) and the dashboard (web/).
// Runs in `npm test` after `tsc --noEmit`; tsc owns type errors, eslint owns the rest.
// Not type-aware: recommendedTypeChecked took 4 min 40 s here (2 shared cores) against about
// 20 s for the syntactic rules, and most of its 1,500 findings were no-unsafe-* on test JSON.
import comments from '@eslint-community/eslint-plugin-eslint-comments'
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    // Build output, installed packages and files written by test and lab runs.
    ignores: ['**/node_modules/', 'dist/', 'web/dist/', 'test-artifacts/', 'coverage/', 'lab-output/', 'data/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: {
      // A disable comment that no longer silences anything is stale: report it so it gets removed.
      reportUnusedDisableDirectives: 'error',
    },
    plugins: { '@eslint-community/eslint-comments': comments },
    rules: {
      // Every eslint-disable says why, after ` -- `, and names the rules it silences.
      '@eslint-community/eslint-comments/require-description': 'error',
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
      // An underscore marks a name kept on purpose: a field dropped from a copy
      // (`const { id: _id, ...rest } = row`) or a parameter a fixed signature requires.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A `let` that a callback reads before its one assignment stays `let`: as a `const` the
      // callback would throw in the temporal dead zone instead of seeing undefined
      // (queue/postgres/scheduler.ts: a pool can stop while `runner` is still being started).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**', 'test/**', 'bench/**', 'lab/**', 'scripts/**', 'bin/**', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      // Tests and benches read JSON answers (API bodies, child-process messages) whose shape is
      // what their assertions check; typing each body would copy API.md into every test.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      // Not told about useAsync/usePagedList (additionalHooks): it would check their lists like
      // useCallback's and call a refresh counter or a page's key-driven [] list wrong.
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['web/*.config.ts'],
    languageOptions: { globals: globals.node },
  },
)
