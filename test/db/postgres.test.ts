import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateExclusively } from '../../src/cluster/migrate-lock.js';
import { createDatabase } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { type ChangeTopic, createChangeNotifier } from '../../src/db/notify.js';
import { createRepositories } from '../../src/db/repositories/index.js';
import { waitFor } from '../helpers/server.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';
import { defineDatabaseSuite } from './db.suite.js';

const pgState: { server?: PostgresServer; url?: string } = {};

beforeAll(async () => {
  pgState.server = await startPostgres();
  pgState.url = await pgState.server.connectionString();
});

afterAll(async () => {
  await pgState.server?.stop();
});

function server(): PostgresServer {
  if (pgState.server === undefined) throw new Error('PostgreSQL is not started');
  return pgState.server;
}

function url(): string {
  if (pgState.url === undefined) throw new Error('PostgreSQL is not started');
  return pgState.url;
}

defineDatabaseSuite('postgres', () => createDatabase(url()));

describe('postgres specifics', () => {
  it('runs the migrations once when several instances start at the same moment', async () => {
    const fresh = await server().connectionString();
    const instances = await Promise.all(Array.from({ length: 4 }, () => createDatabase(fresh)));
    try {
      const ran = await Promise.all(instances.map((d) => migrateExclusively(d)));
      const counts = ran.map((steps) => steps.length).sort();
      expect(counts).toEqual([0, 0, 0, MIGRATIONS.length]);
    } finally {
      await Promise.all(instances.map((d) => d.close()));
    }
  });

  it('pushes every committed change to listeners, whoever made it', async () => {
    const fresh = await server().connectionString();
    const database = await createDatabase(fresh);
    const notifier = await createChangeNotifier(fresh);
    const heard: ChangeTopic[] = [];
    notifier.subscribe((t) => heard.push(t));
    try {
      await migrateToLatest(database);
      const repos = createRepositories(database.db);
      heard.length = 0;
      await repos.settings.upsert([{ key: 'site_title', value: 'x' }]);
      const id = await repos.storages.create({ mountPath: '/n', driver: 'Local' });
      await repos.storages.setDisabled(id, true);
      await repos.metas.create({ path: '/n' });
      await waitFor(() => heard.includes('metas'), 5000, 'the metas notification');
      expect(heard).toEqual(['settings', 'storages', 'storages', 'metas']);
      await database.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('metas').execute();
        expect(heard).toHaveLength(4); // nothing before commit
      });
      await waitFor(() => heard.length === 5, 5000, 'the commit notification');
    } finally {
      await notifier.close();
      await database.close();
    }
  });

  it('reconnects after losing its connection and asks for a full reload', async () => {
    const fresh = await server().connectionString();
    const database = await createDatabase(fresh);
    const notifier = await createChangeNotifier(fresh, { reconnect: { initialMs: 20, maxMs: 100 } });
    const heard: ChangeTopic[] = [];
    notifier.subscribe((t) => heard.push(t));
    try {
      await migrateToLatest(database);
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`.execute(database.db);
      await waitFor(() => heard.includes('*'), 5000, 'the resync after reconnecting');
      await createRepositories(database.db).settings.upsert([{ key: 'k', value: 'v' }]);
      await waitFor(() => heard.includes('settings'), 5000, 'a notification on the new connection');
    } finally {
      await notifier.close();
      await database.close();
    }
  });
});
