import { defineConfig } from 'vitest/config';

/** Soak-like suites: crash loops, mass transfers, token soaks. They run in `npm test`, in their own tier. */
const SOAK = [
  'test/e2e/relay.test.ts',
  'test/e2e/oauth-crash.test.ts',
  'test/e2e/token-soak.test.ts',
  'test/reliability/task-crash.test.ts',
  'test/reliability/task-cluster.test.ts',
  'test/offline/crash.test.ts',
];

const shared = { testTimeout: 60_000, hookTimeout: 120_000 };

/**
 * Three tiers (DESIGN.md §3): `unit` beside the code (no servers, no databases: `npm run test:unit`
 * runs in seconds), `integration` (real servers, conformance, database suites, security), `soak`.
 * `npm test` runs all three.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'unit', include: ['src/**/*.test.ts'] } },
      { test: { ...shared, name: 'integration', include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**', ...SOAK] } },
      { test: { ...shared, name: 'soak', include: SOAK } },
    ],
  },
});
