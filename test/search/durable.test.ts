import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/client.js';
import { ApiClient } from '../helpers/api.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';
import { crawled, found, plant } from './helpers.js';

const dirs: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function crawlState(dataDir: string): Promise<{ frontier: number; startedAt: string | null; state: string }> {
  const database = await createDatabase(`sqlite:${join(dataDir, 'data.db')}`);
  try {
    const db = database.db as unknown as import('../../src/search/tables.js').SearchDb;
    const frontier = await db.selectFrom('search_crawl').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const mount = await db.selectFrom('search_mounts').select(['started_at', 'state']).executeTakeFirst();
    return { frontier: Number(frontier?.n ?? 0), startedAt: mount?.started_at ?? null, state: mount?.state ?? '' };
  } finally {
    await database.close();
  }
}

describe('the search index is durable', () => {
  it('goes on with a crawl where it stopped when the server restarts', async () => {
    const root = temp('fb-search-resume-');
    const dataDir = temp('fb-search-resume-data-');
    const files: string[] = [];
    for (let d = 0; d < 40; d++) for (let f = 0; f < 5; f++) files.push(`d${d}/f-${d}-${f}.txt`);
    plant(root, files);
    const storages = [{ mountPath: '/r', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }];
    let server = await startTestServer({ dataDir, storages });
    let api = ApiClient.for(server, server.settings.get('token'));
    await api.post('/api/admin/setting/save', [{ key: 'index_crawl_rate', value: '10' }, { key: 'search_index', value: 'database' }]);
    await waitFor(async () => (await api.get('/api/admin/index/progress')).data.obj_count > 20, 20_000, 'the crawl to begin');
    await server.stop();
    const stopped = await crawlState(dataDir);
    expect(stopped.frontier).toBeGreaterThan(0);
    expect(stopped.state).toBe('running');

    server = await startTestServer({ dataDir });
    try {
      api = ApiClient.for(server, server.settings.get('token'));
      await api.post('/api/admin/setting/save', [{ key: 'index_crawl_rate', value: '1000' }]);
      await crawled(api, 1 + 40 * 6);
      expect((await api.get('/api/admin/index/progress')).data.obj_count).toBe(1 + 40 * 6);
      expect(await found(api, 'f-39-4')).toEqual(['/r/d39/f-39-4.txt']);
    } finally {
      await server.stop();
    }
    const after = await crawlState(dataDir);
    expect(after).toMatchObject({ frontier: 0, state: 'done', startedAt: stopped.startedAt });
  });

  describe('on PostgreSQL', () => {
    let pg: PostgresServer;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    it('indexes, finds by substring and follows writes and removals', async () => {
      const root = temp('fb-search-pg-');
      plant(root, ['docs/東京タワー.txt', 'docs/Crème brûlée.md', 'docs/sub/report-2026.pdf']);
      const server = await startTestServer({ config: { db: await pg.connectionString() }, storages: [{ mountPath: '/p', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
      try {
        const api = ApiClient.for(server, server.settings.get('token'));
        await api.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database' }]);
        await crawled(api, 6);
        expect(await found(api, 'タワー')).toEqual(['/p/docs/東京タワー.txt']);
        expect(await found(api, 'creme brul')).toEqual(['/p/docs/Crème brûlée.md']);
        expect(await found(api, 'report')).toEqual(['/p/docs/sub/report-2026.pdf']);
        expect((await api.put('/p/docs/new-upload.txt', 'x')).code).toBe(200);
        await waitFor(async () => (await found(api, 'new-upload')).length === 1, 1000, 'the upload to be found');
        expect((await api.post('/api/fs/remove', { dir: '/p/docs', names: ['sub'] })).code).toBe(200);
        await waitFor(async () => (await found(api, 'report')).length === 0, 1000, 'the removed folder to be gone');
        await api.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database_non_full_text' }]);
        expect(await found(api, 'タワー')).toEqual(['/p/docs/東京タワー.txt']);
      } finally {
        await server.stop();
      }
    });
  });
});
