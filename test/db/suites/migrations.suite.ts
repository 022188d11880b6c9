import { type KyselyPlugin, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MigrationError } from '../../../src/db/errors.js';
import { migrateDown, migrateToLatest, migrationStatus } from '../../../src/db/migrate.js';
import { MIGRATIONS } from '../../../src/db/migrations/index.js';
import { createRepositories } from '../../../src/db/repositories/index.js';
import type { DatabaseFactory } from './context.js';

const TABLES = ['api_tokens', 'metas', 'revoked_sessions', 'settings', 'storages', 'users'];

export function migrationTests(factory: DatabaseFactory): void {
  describe('migrations', () => {
    async function appTables(database: Awaited<ReturnType<DatabaseFactory>>): Promise<string[]> {
      const tables = await database.db.introspection.getTables();
      return tables.map((t) => t.name).filter((n) => TABLES.includes(n)).sort();
    }

    it('go up, down and up again, leaving a working schema', async () => {
      const database = await factory();
      try {
        await migrateDown(database, { all: true });
        expect(await appTables(database)).toEqual([]);

        const up = await migrateToLatest(database);
        expect(up.map((s) => s.name)).toEqual(MIGRATIONS.map(([name]) => name));
        expect(await appTables(database)).toEqual(TABLES);
        expect(await migrateToLatest(database)).toEqual([]);

        const down = await migrateDown(database);
        expect(down).toEqual([{ name: MIGRATIONS.at(-1)?.[0], direction: 'Down' }]);
        await migrateDown(database, { all: true });
        expect(await appTables(database)).toEqual([]);

        await migrateToLatest(database);
        expect(await appTables(database)).toEqual(TABLES);
        const repos = createRepositories(database.db);
        const id = await repos.storages.create({ mountPath: '/after-reup', driver: 'local' });
        expect((await repos.storages.get(id))?.mountPath).toBe('/after-reup');
      } finally {
        await database.close();
      }
    });

    it('report which migrations ran', async () => {
      const database = await factory();
      try {
        await migrateDown(database, { all: true });
        const pending = await migrationStatus(database);
        expect(pending.every((m) => m.executedAt === null)).toBe(true);
        await migrateToLatest(database);
        const done = await migrationStatus(database);
        expect(done.map((m) => m.name)).toEqual(MIGRATIONS.map(([name]) => name));
        expect(done.every((m) => m.executedAt instanceof Date)).toBe(true);
      } finally {
        await database.close();
      }
    });

    it('check an up-to-date database with one query, on every start', async () => {
      const database = await factory();
      try {
        await migrateToLatest(database);
        let queries = 0;
        const counter: KyselyPlugin = {
          transformQuery: (args) => {
            queries++;
            return args.node;
          },
          transformResult: async (args) => args.result,
        };
        expect(await migrateToLatest({ ...database, db: database.db.withPlugin(counter) })).toEqual([]);
        expect(queries).toBe(1);
      } finally {
        await database.close();
      }
    });

    it('refuse a database that ran a migration this version does not know', async () => {
      const database = await factory();
      try {
        await migrateToLatest(database);
        await sql`insert into kysely_migration (name, timestamp) values ('29991231000000_from_the_future', '2999-12-31T00:00:00.000Z')`.execute(database.db);
        const failure = await migrateToLatest(database).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(MigrationError);
        expect((failure as MigrationError).message).toMatch(/29991231000000_from_the_future/);
        await sql`delete from kysely_migration where name = '29991231000000_from_the_future'`.execute(database.db);
      } finally {
        await database.close();
      }
    });

    it('fail with a readable MigrationError naming the migration', async () => {
      const database = await factory();
      try {
        await migrateDown(database, { all: true });
        await database.db.schema.createTable('storages').addColumn('x', 'integer').execute();
        const failure = await migrateToLatest(database).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(MigrationError);
        const error = failure as MigrationError;
        expect(error.code).toBe('migration_failed');
        expect(error.migrationName).toBe(MIGRATIONS[0]?.[0]);
        expect(error.message).toMatch(/^database migration failed in migration "\d+_init": .*storages/);
        await database.db.schema.dropTable('storages').execute();
        await migrateToLatest(database);
      } finally {
        await database.close();
      }
    });
  });
}
