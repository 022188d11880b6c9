import { afterEach, beforeEach } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { migrateDown, migrateToLatest } from '../../../src/db/migrate.js';
import { createRepositories, type Repositories } from '../../../src/db/repositories/index.js';

/** Opens a connection to the database under test; every call reaches the SAME database. */
export type DatabaseFactory = () => Promise<Database>;

export interface DbTestContext {
  /** The main connection, migrated to latest and emptied before each test. */
  readonly database: Database;
  readonly repos: Repositories;
  /** Another connection to the same database (closed after the test), like the CLI next to a server. */
  open(): Promise<Database>;
}

/** Registers hooks giving each test a freshly migrated, empty database. */
export function useMigratedDatabase(factory: DatabaseFactory): DbTestContext {
  const opened: Database[] = [];
  const state: { database?: Database; repos?: Repositories } = {};

  beforeEach(async () => {
    const database = await factory();
    opened.push(database);
    await migrateDown(database, { all: true });
    await migrateToLatest(database);
    state.database = database;
    state.repos = createRepositories(database.db);
  });

  afterEach(async () => {
    const all = opened.splice(0);
    await Promise.all(all.map((d) => d.close()));
  });

  return {
    get database(): Database {
      if (state.database === undefined) throw new Error('database used outside a test');
      return state.database;
    },
    get repos(): Repositories {
      if (state.repos === undefined) throw new Error('repositories used outside a test');
      return state.repos;
    },
    async open(): Promise<Database> {
      const database = await factory();
      opened.push(database);
      return database;
    },
  };
}
