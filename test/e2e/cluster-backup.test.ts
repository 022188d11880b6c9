import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/index.js';
import { openDatabase, startFilebridge } from '../../src/main.js';
import type { Repositories } from '../../src/db/repositories/index.js';
import { testConfig } from '../helpers/server.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';

/** `filebridge backup` / `restore`, in process, on SQLite and PostgreSQL and across them. */
describe('backup and restore', () => {
  const state: { pg?: PostgresServer; dir: string } = { dir: '' };
  const file = (name: string) => join(state.dir, name);
  const pg = () => state.pg as PostgresServer;

  beforeAll(async () => {
    state.pg = await startPostgres();
    state.dir = mkdtempSync(join(tmpdir(), 'filebridge-backup-'));
  });

  afterAll(async () => {
    await state.pg?.stop();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    await buildCli({ start: startFilebridge, openDatabase }, (l) => out.push(l)).parseAsync(['node', 'filebridge', ...args]);
    return out;
  }

  async function withRepos<T>(db: string, work: (repos: Repositories) => Promise<T>): Promise<T> {
    const { database, repos } = await openDatabase(testConfig(state.dir, { db }));
    try {
      return await work(repos);
    } finally {
      await database.close();
    }
  }

  async function seed(db: string): Promise<void> {
    await withRepos(db, async (repos) => {
      const alice = await repos.users.create({ username: 'alice', passwordHash: 'h' });
      await repos.tokens.create({ userId: alice, name: 't', tokenHash: 'hash', prefix: 'fbt_', scope: 'write' });
      await repos.storages.create({ mountPath: '/m', driver: 'Local', addition: '{"root_folder_path":"/srv"}' });
      await repos.settings.upsert([{ key: 'site_title', value: 'Backed up' }]);
      await repos.metas.create({ path: '/m', password: 'pw', pSub: true });
      await repos.davProps.apply('/m/f', [{ op: 'set', ns: 'urn:x', name: 'p', value: 'v' }]);
    });
  }

  async function snapshot(db: string) {
    return withRepos(db, async (repos) => ({
      users: (await repos.users.list()).items.map((u) => [u.id, u.username]),
      tokens: (await repos.tokens.listAll()).map((t) => [t.id, t.username, t.tokenHash, t.scope]),
      storages: (await repos.storages.list()).map((s) => [s.id, s.mountPath, s.addition]),
      title: (await repos.settings.get('site_title'))?.value,
      metas: (await repos.metas.list()).items.map((m) => [m.path, m.password, m.pSub]),
      props: await repos.davProps.forPath('/m/f'),
    }));
  }

  it('copies SQLite with the online backup API and restores it', async () => {
    const db = `sqlite:${file('live.db')}`;
    await seed(db);
    const before = await snapshot(db);
    const out = await cli('backup', file('copy.db'), '--data', state.dir, '--db', db);
    expect(out).toEqual([`backed up sqlite database to ${file('copy.db')} (sqlite)`]);
    expect(readFileSync(file('copy.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
    await withRepos(db, async (repos) => {
      await repos.users.remove((await repos.users.getByUsername('alice'))?.id ?? 0);
      await repos.settings.upsert([{ key: 'site_title', value: 'changed' }]);
    });
    await cli('restore', file('copy.db'), '--data', state.dir, '--db', db);
    expect(await snapshot(db)).toEqual(before);
  });

  it('dumps PostgreSQL to JSON and restores it into a fresh database, sequences included', async () => {
    const source = await pg().connectionString();
    await seed(source);
    await cli('backup', file('pg.json'), '--data', state.dir, '--db', source);
    const doc = JSON.parse(readFileSync(file('pg.json'), 'utf8'));
    expect(doc).toMatchObject({ format: 'filebridge-backup', version: 1, engine: 'postgres' });
    const target = await pg().connectionString();
    const out = await cli('restore', file('pg.json'), '--data', state.dir, '--db', target);
    expect(out[0]).toMatch(/^restored \d+ rows in \d+ tables/);
    expect(await snapshot(target)).toEqual(await snapshot(source));
    const next = await withRepos(target, (repos) => repos.users.create({ username: 'after-restore', passwordHash: 'h' }));
    expect(next).toBeGreaterThan(Math.max(...(await snapshot(source)).users.map(([id]) => Number(id))));
  });

  it('moves a database between engines: SQLite file into PostgreSQL and PostgreSQL JSON into SQLite', async () => {
    const fromSqlite = await pg().connectionString();
    await cli('restore', file('copy.db'), '--data', state.dir, '--db', fromSqlite);
    expect(await snapshot(fromSqlite)).toEqual(await snapshot(`sqlite:${file('live.db')}`));
    const intoSqlite = `sqlite:${file('from-pg.db')}`;
    await cli('restore', file('pg.json'), '--data', state.dir, '--db', intoSqlite);
    expect((await snapshot(intoSqlite)).tokens).toEqual((await snapshot(fromSqlite)).tokens);
  });

  it('refuses a backup from a newer schema and a file that is no backup', async () => {
    const doc = JSON.parse(readFileSync(file('pg.json'), 'utf8'));
    doc.migrations.push('29990101000000_future');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file('future.json'), JSON.stringify(doc));
    writeFileSync(file('junk.json'), '{"hello":1}');
    const db = `sqlite:${file('live.db')}`;
    await expect(cli('restore', file('future.json'), '--data', state.dir, '--db', db)).rejects.toThrow(/newer filebridge.*29990101000000_future/);
    await expect(cli('restore', file('junk.json'), '--data', state.dir, '--db', db)).rejects.toThrow(/not a filebridge backup/);
  });
});
