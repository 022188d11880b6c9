import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, createDatabase } from '../../src/db/client.js';
import { migrateDown, migrateToLatest } from '../../src/db/migrate.js';
import { searchWords } from '../../src/search/fold.js';
import { type SearchQuery, countMatches, findPage } from '../../src/search/query.js';
import { SearchStore } from '../../src/search/store.js';
import type { IndexedEntry } from '../../src/search/tables.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';

const state: { pg?: PostgresServer; pgUrl?: string; dir?: string } = {};

beforeAll(async () => {
  state.dir = mkdtempSync(join(tmpdir(), 'fb-search-store-'));
  state.pg = await startPostgres();
  state.pgUrl = await state.pg.connectionString();
});

afterAll(async () => {
  await state.pg?.stop();
  if (state.dir) rmSync(state.dir, { recursive: true, force: true });
});

const file = (path: string, size = 1): IndexedEntry => {
  const i = path.lastIndexOf('/');
  return { parent: path.slice(0, i) || '/', name: path.slice(i + 1), isDir: false, size };
};
const dir = (path: string): IndexedEntry => ({ ...file(path, 0), isDir: true });

/** The same tests on each engine, on a freshly migrated database. */
function storeSuite(label: string, open: () => Promise<Database>): void {
  describe(`search store (${label})`, () => {
    let database: Database;
    let store: SearchStore;

    beforeAll(async () => {
      database = await open();
      await migrateDown(database, { all: true });
      await migrateToLatest(database);
      store = new SearchStore(database.db, database.engine);
    });

    afterAll(async () => {
      await database?.close();
    });

    const query = (keywords: string, more: Partial<SearchQuery> = {}): SearchQuery => {
      const words = searchWords(keywords);
      return { words, whole: words.join(' '), root: '/', scope: 0, storages: [1, 2], exclude: [], fullText: true, ...more };
    };
    const paths = async (keywords: string, more: Partial<SearchQuery> = {}) =>
      (await findPage(store, query(keywords, more), 0, 100)).map((h) => `${h.parent === '/' ? '' : h.parent}/${h.name}`);

    it('finds substrings with and without the trigram index, short words and long, ranked', async () => {
      await store.clear();
      await store.put(1, [dir('/m'), dir('/m/a'), file('/m/a/report'), file('/m/a/report 2024.pdf'), file('/m/a/annual report.pdf'), file('/m/a/東京.txt'), file('/m/a/Ærø ñandú.txt')]);
      for (const fullText of [true, false]) {
        expect(await paths('REPORT', { fullText })).toEqual(['/m/a/report', '/m/a/report 2024.pdf', '/m/a/annual report.pdf']);
        expect(await paths('東京', { fullText })).toEqual(['/m/a/東京.txt']);
        expect(await paths('nandu', { fullText })).toEqual(['/m/a/Ærø ñandú.txt']);
        expect(await paths('rep 2024', { fullText })).toEqual(['/m/a/report 2024.pdf']);
        expect(await paths('a', { fullText, scope: 1 })).toEqual(['/m/a']);
        expect(await countMatches(store, query('report', { fullText }))).toBe(3);
      }
      expect(await paths('report', { storages: [2] })).toEqual([]);
    });

    it('keeps subtrees apart by path, whatever the names hold (%, _, spaces, a0 after a/)', async () => {
      await store.clear();
      const names = ['/x/a/f1', '/x/a b/f2', '/x/a0/f3', '/x/a%/f4', '/x/a_/f5', '/x/ab/f6', '/x/a/deep/f7'];
      await store.put(1, names.map((n) => file(n)));
      expect(await paths('f', { root: '/x/a' })).toEqual(['/x/a/f1', '/x/a/deep/f7']);
      expect(await paths('f', { root: '/x/a%' })).toEqual(['/x/a%/f4']);
      expect(await paths('f', { root: '/x', exclude: ['/x/a', '/x/a_'] })).toEqual(['/x/a b/f2', '/x/a0/f3', '/x/a%/f4', '/x/ab/f6']);
      expect(await paths('%')).toEqual([]);
      await store.put(1, [file('/x/100%_done.txt')]);
      expect(await paths('%_d')).toEqual(['/x/100%_done.txt']);
      await store.removeTree('/x/a');
      expect(await paths('f', { root: '/x' })).toEqual(['/x/a b/f2', '/x/a0/f3', '/x/a%/f4', '/x/a_/f5', '/x/ab/f6']);
    });

    it('moves and copies trees, renaming the root and re-keying it', async () => {
      await store.clear();
      await store.put(1, [dir('/s'), dir('/s/Old'), file('/s/Old/in.txt'), dir('/s/Old/sub'), file('/s/Old/sub/deep.txt')]);
      await store.moveTree('/s/Old', '/s/Renamed', 2);
      expect(await paths('deep')).toEqual(['/s/Renamed/sub/deep.txt']);
      expect(await paths('renamed')).toEqual(['/s/Renamed']);
      expect(await paths('old')).toEqual([]);
      await store.copyTree('/s/Renamed', '/s/Kopie', 1);
      expect(await paths('deep')).toEqual(['/s/Kopie/sub/deep.txt', '/s/Renamed/sub/deep.txt']);
      expect(await paths('kopie')).toEqual(['/s/Kopie']);
      expect(await store.count([1])).toBe(5);
      expect(await store.count()).toBe(9);
    });

    it('updates an entry in place, and keeps what is there when asked only for missing ones', async () => {
      await store.clear();
      await store.put(1, [file('/u/f.txt', 5)]);
      await store.put(1, [file('/u/f.txt', 9)]);
      await store.putMissing(1, [file('/u/f.txt', 1), dir('/u')]);
      const [hit] = await findPage(store, query('f.txt'), 0, 10);
      expect(hit).toMatchObject({ size: 9, isDir: false });
      expect(await store.count()).toBe(2);
    });
  });
}

storeSuite('sqlite', () => createDatabase(`sqlite:${join(state.dir ?? tmpdir(), 'store.db')}`));
storeSuite('postgres', () => {
  if (!state.pgUrl) throw new Error('PostgreSQL is not started');
  return createDatabase(state.pgUrl);
});
