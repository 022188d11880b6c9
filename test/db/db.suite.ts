import { describe } from 'vitest';
import { auditTests } from './suites/audit.suite.js';
import { davTests, leaseTests } from './suites/leases-dav.suite.js';
import { migrationTests } from './suites/migrations.suite.js';
import { metaTests, settingTests } from './suites/settings-metas.suite.js';
import { storageTests } from './suites/storages.suite.js';
import { tokenTests } from './suites/tokens.suite.js';
import { userTests } from './suites/users.suite.js';
import type { DatabaseFactory } from './suites/context.js';

export type { DatabaseFactory } from './suites/context.js';

/**
 * Every engine-independent database test. `factory` must open a new connection to the
 * SAME database on each call (tests empty it by migrating all the way down and up again).
 * Run it once per engine: SQLite in sqlite.test.ts, PostgreSQL from a later test file.
 */
export function defineDatabaseSuite(label: string, factory: DatabaseFactory): void {
  describe(`database (${label})`, () => {
    migrationTests(factory);
    storageTests(factory);
    userTests(factory);
    settingTests(factory);
    metaTests(factory);
    tokenTests(factory);
    leaseTests(factory);
    davTests(factory);
    auditTests(factory);
  });
}
