import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, createDatabase, createRepositories, migrateToLatest } from '../../src/db/index.js';
import { RESYNC } from '../../src/db/change-notifier.js';
import { SqliteChangeLog } from '../../src/db/change-log.js';
import { type ChangeNotifier, type ChangeTopic, createChangeNotifier } from '../../src/db/notify.js';

/**
 * The SQLite change notifier between connections to one database file, as between workers (or a
 * worker and the CLI): what one connection commits, another's `sync` emits, and `sync` resolves
 * only after the reloads its listeners started. Background polls are off, so only `sync` acts.
 */
describe('SQLite change log', () => {
  let dir: string;
  let file: string;
  let database: Database;
  const open: ChangeNotifier[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'filebridge-change-log-'));
    file = join(dir, 'data.db');
    database = await createDatabase(`sqlite:${file}`);
    await migrateToLatest(database);
  });

  afterEach(async () => {
    for (const n of open.splice(0)) await n.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function notifier(): Promise<{ n: SqliteChangeLog; heard: ChangeTopic[] }> {
    const n = await SqliteChangeLog.open(file, { pollMs: 0, pruneEveryMs: 0 });
    open.push(n);
    const heard: ChangeTopic[] = [];
    n.subscribe((t) => void heard.push(t));
    return { n, heard };
  }

  it('emits, on the next sync, the tables another connection changed, each once', async () => {
    const { n, heard } = await notifier();
    const repos = createRepositories(database.db);
    const userId = await repos.users.create({ username: 'u', passwordHash: '', role: 0, permission: 0, basePath: '/' });
    await repos.settings.upsert([
      { key: 'site_title', value: 'a' },
      { key: 'announcement', value: 'b' },
    ]);
    const id = await repos.storages.create({ mountPath: '/n', driver: 'Local' });
    await repos.storages.setDisabled(id, true);
    await repos.metas.create({ path: '/n', password: 'x' });
    await repos.davLocks.create({
      token: 'opaquelocktoken:1', root: '/n/f', depth: '0', scope: 'exclusive', owner: '', timeoutSeconds: 60,
      expiresAt: new Date(Date.now() + 60_000), userId, createdAt: new Date(),
    });
    expect(heard).toEqual([]);
    await n.sync();
    expect(heard).toEqual(['users', 'settings', 'storages', 'metas', 'dav_locks']);
    heard.length = 0;
    await n.sync();
    expect(heard).toEqual([]);
  });

  it('costs one pragma when nothing changed: the same settled promise every time', async () => {
    const { n } = await notifier();
    const first = n.sync();
    expect(n.sync()).toBe(first);
    await first;
    // A commit that touches no logged table is a look at the log and nothing more.
    await createRepositories(database.db).audit.record({ action: 'test' });
    await n.sync();
    expect(n.sync()).toBe(first);
  });

  it('resolves sync only once the reloads its listeners started are done', async () => {
    const { n } = await notifier();
    const order: string[] = [];
    n.subscribe((topic) =>
      topic === 'settings'
        ? new Promise<void>((resolve) =>
            setTimeout(() => {
              order.push('reloaded');
              resolve();
            }, 50),
          )
        : undefined,
    );
    await createRepositories(database.db).settings.upsert([{ key: 'site_title', value: 'c' }]);
    const pending = n.sync();
    // A request arriving meanwhile waits for the same reload.
    const meanwhile = n.sync();
    await Promise.all([pending.then(() => order.push('first request')), meanwhile.then(() => order.push('second request'))]);
    expect(order).toEqual(['reloaded', 'first request', 'second request']);
  });

  it('carries published notices to the other connections, and the CLI-style write of a plain connection too', async () => {
    const a = await notifier();
    const b = await notifier();
    expect(await a.n.publish('fs:{"i":"a","c":[[1,"docs",0]]}')).toBe(true);
    await b.n.sync();
    expect(b.heard).toEqual(['fs:{"i":"a","c":[[1,"docs",0]]}']);
    // Another process with no notifier at all (the CLI), through its own connection.
    const cli = new SqliteDatabase(file);
    cli.prepare('UPDATE users SET disabled = 1 WHERE 0').run();
    cli.prepare(`INSERT INTO metas (path) VALUES ('/cli')`).run();
    cli.close();
    await b.n.sync();
    expect(b.heard.slice(1)).toEqual(['metas']);
    await a.n.sync();
    // A hears its own notice too (as with NOTIFY), once another commit makes it look.
    expect(a.heard).toEqual(['fs:{"i":"a","c":[[1,"docs",0]]}', 'metas']);
  });

  it('keeps changes for its first listener: a look before anyone subscribed consumes nothing', async () => {
    const n = await SqliteChangeLog.open(file, { pollMs: 0, pruneEveryMs: 0 });
    open.push(n);
    await createRepositories(database.db).settings.upsert([{ key: 'site_title', value: 'early' }]);
    await n.sync();
    const heard: ChangeTopic[] = [];
    n.subscribe((t) => void heard.push(t));
    await n.sync();
    expect(heard).toEqual(['settings']);
  });

  it('reloads everything when rows it had not read were pruned', async () => {
    const { n, heard } = await notifier();
    const raw = new SqliteDatabase(file);
    for (let i = 0; i < 3; i++) raw.prepare(`INSERT INTO change_log (topic, created) VALUES ('settings', 0)`).run();
    raw.prepare('DELETE FROM change_log WHERE id < (SELECT MAX(id) FROM change_log)').run();
    raw.close();
    await n.sync();
    expect(heard).toEqual([RESYNC]);
  });

  it('is what createChangeNotifier gives for an SQLite file (and nothing for an in-memory database)', async () => {
    const n = await createChangeNotifier(`sqlite:${file}`);
    open.push(n);
    expect(n.live).toBe(false);
    expect(typeof n.sync).toBe('function');
    const memory = await createChangeNotifier(':memory:');
    expect(memory.sync).toBeUndefined();
    await memory.close();
  });
});
