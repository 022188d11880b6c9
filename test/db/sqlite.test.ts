import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase, parseDatabaseUrl } from '../../src/db/client.js';
import { DbError } from '../../src/db/errors.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createRepositories } from '../../src/db/repositories/index.js';
import { defineDatabaseSuite } from './db.suite.js';

const dirs = { root: '' };

beforeAll(async () => {
  dirs.root = await mkdtemp(path.join(tmpdir(), 'filebridge-db-'));
});

afterAll(async () => {
  await rm(dirs.root, { recursive: true, force: true });
});

defineDatabaseSuite('sqlite', () => createDatabase(`sqlite:${path.join(dirs.root, 'suite', 'filebridge.db')}`));

describe('sqlite specifics', () => {
  it('creates the parent folder and opens in WAL mode with foreign keys on', async () => {
    const file = path.join(dirs.root, 'nested', 'deeper', 'data.db');
    const database = await createDatabase(file);
    try {
      expect(database.engine).toBe('sqlite');
      expect(existsSync(file)).toBe(true);
      const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(database.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(database.db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      const busy = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(database.db);
      expect(busy.rows[0]?.timeout).toBe(5000);
    } finally {
      await database.close();
    }
  });

  it('works in memory', async () => {
    const database = await createDatabase(':memory:');
    try {
      await migrateToLatest(database);
      const repos = createRepositories(database.db);
      await repos.settings.upsert([{ key: 'k', value: 'v' }]);
      expect((await repos.settings.get('k'))?.value).toBe('v');
    } finally {
      await database.close();
    }
  });

  it('answers rightly from reused prepared statements: repeated, streamed, after a schema change', async () => {
    const database = await createDatabase(':memory:');
    try {
      await migrateToLatest(database);
      const repos = createRepositories(database.db);
      for (let i = 0; i < 5; i++) await repos.settings.upsert([{ key: `k${i}`, value: `v${i}` }]);
      const query = () => database.db.selectFrom('settings').select(['key', 'value']).where('key', 'like', 'k%').orderBy('key');
      const seen: string[] = [];
      for await (const row of query().stream()) seen.push(row.key);
      expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
      for (let i = 0; i < 3; i++) {
        expect((await query().execute()).length).toBe(5 + i);
        await repos.settings.upsert([{ key: `k${5 + i}`, value: `v${5 + i}` }]);
      }
      await sql`ALTER TABLE settings ADD COLUMN extra text`.execute(database.db);
      await sql`UPDATE settings SET value = 'changed' WHERE key = 'k0'`.execute(database.db);
      expect((await query().execute()).map((r) => r.value)).toEqual(['changed', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
    } finally {
      await database.close();
    }
  });

  it('sees data written by another connection to the same file', async () => {
    const url = `sqlite:${path.join(dirs.root, 'shared.db')}`;
    const server = await createDatabase(url);
    const cli = await createDatabase(url);
    try {
      await migrateToLatest(server);
      await createRepositories(cli.db).users.create({ username: 'from-cli', passwordHash: 'h' });
      expect((await createRepositories(server.db).users.getByUsername('from-cli'))?.username).toBe('from-cli');
    } finally {
      await Promise.all([server.close(), cli.close()]);
    }
  });
});

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:data/filebridge.db', { engine: 'sqlite', filename: 'data/filebridge.db' }],
    ['sqlite:///var/lib/fb.db', { engine: 'sqlite', filename: '/var/lib/fb.db' }],
    ['./fb.db', { engine: 'sqlite', filename: './fb.db' }],
    [':memory:', { engine: 'sqlite', filename: ':memory:' }],
    ['sqlite::memory:', { engine: 'sqlite', filename: ':memory:' }],
    ['postgres://u:p@h:5432/db', { engine: 'postgres', connectionString: 'postgres://u:p@h:5432/db' }],
    ['postgresql://h/db', { engine: 'postgres', connectionString: 'postgresql://h/db' }],
  ])('%s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each(['', 'sqlite:', 'mysql://h/db'])('rejects %j', (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(DbError);
  });
});
