import { defineConfig } from 'vitest/config'

// Unit tests for the dashboard's pure logic; run from web/ with `npx vitest run`
// or from the root with `npx vitest run --config web/vitest.config.ts`.
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
