import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { type RcloneServer, startRcloneWebdav } from '../servers/rclone.js';
import { dav } from '../e2e/webdav-helpers.js';
import { crawled, found, plant, search } from './helpers.js';

/** 100 folders of 200 files below /local, and 20 folders of 50 files below /wd. */
const LOCAL_DIRS = 100;
const LOCAL_FILES = 200;
const WD_DIRS = 20;
const WD_FILES = 50;
const NAMES = ['東京タワーの写真.jpg', 'がっこう の しゅくだい.txt', 'Café Müller – Ångström.md', 'ＦＵＬＬ width.txt', 'exact', 'exact match.txt', 'an exact one.txt'];

describe('the search index over a Local and a WebDav mount', () => {
  let server: TestServer;
  let rclone: RcloneServer;
  let local: string;
  let remote: string;
  let api: ApiClient;
  // Mount points, folders and files, the names folder and its files, deep/l2/l3 (l4 is too deep; private is ignored).
  const total = 2 + LOCAL_DIRS * (LOCAL_FILES + 1) + WD_DIRS * (WD_FILES + 1) + 1 + NAMES.length + 3;

  beforeAll(async () => {
    local = mkdtempSync(join(tmpdir(), 'fb-search-local-'));
    remote = mkdtempSync(join(tmpdir(), 'fb-search-wd-'));
    const files: string[] = [];
    for (let d = 0; d < LOCAL_DIRS; d++) for (let f = 0; f < LOCAL_FILES; f++) files.push(`d${d}/file-${d}-${f}.bin`);
    plant(local, files);
    plant(local, NAMES.map((n) => `names/${n}`));
    plant(local, ['deep/l2/l3/l4/too-deep.txt', 'private/never-indexed.txt']);
    const wd: string[] = [];
    for (let d = 0; d < WD_DIRS; d++) for (let f = 0; f < WD_FILES; f++) wd.push(`w${d}/remote-${d}-${f}.dat`);
    plant(remote, wd);
    rclone = await startRcloneWebdav(remote);
    server = await startTestServer({
      storages: [
        { mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: local }) },
        { mountPath: '/wd', driver: 'WebDav', cacheExpiration: 0, addition: JSON.stringify({ address: rclone.url }) },
      ],
    });
    api = ApiClient.for(server, server.settings.get('token'));
    const saved = await api.post('/api/admin/setting/save', [
      { key: 'index_crawl_rate', value: '2000' },
      { key: 'ignore_paths', value: '/local/private' },
      { key: 'max_index_depth', value: '4' },
      { key: 'search_index', value: 'database' },
    ]);
    expect(saved.code).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
    await rclone?.close();
    for (const d of [local, remote]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('is built in the background while the server keeps serving listings', async () => {
    let listings = 0;
    let done = false;
    while (!done) {
      const l = await api.post('/api/fs/list', { path: '/local/d7' });
      expect(l.code).toBe(200);
      expect(l.data.total).toBe(LOCAL_FILES);
      listings++;
      const p = await api.get('/api/admin/index/progress');
      expect(p.code).toBe(200);
      expect(Object.keys(p.data).sort()).toEqual(['error', 'is_done', 'last_done_time', 'obj_count']);
      done = p.data.is_done && p.data.obj_count >= total;
      if (!done) await new Promise((r) => setTimeout(r, 50));
    }
    expect(listings).toBeGreaterThan(0);
    await crawled(api, total);
    const progress = (await api.get('/api/admin/index/progress')).data;
    expect(progress).toMatchObject({ is_done: true, error: '', obj_count: total });
    expect(typeof progress.last_done_time).toBe('string');
    expect((await search(api, 'file-42-1')).total).toBe(111); // file-42-1, -10..19, -100..199
    expect(await found(api, 'remote-7-33')).toEqual(['/wd/w7/remote-7-33.dat']);
  });

  it('finds Chinese, Japanese and accented names by a substring, either way round for accents', async () => {
    expect(await found(api, 'タワー')).toEqual(['/local/names/東京タワーの写真.jpg']);
    expect(await found(api, '東京')).toEqual(['/local/names/東京タワーの写真.jpg']);
    expect(await found(api, 'しゅくだい')).toEqual(['/local/names/がっこう の しゅくだい.txt']);
    expect(await found(api, 'かっこう')).toEqual([]);
    expect(await found(api, 'müll')).toEqual(['/local/names/Café Müller – Ångström.md']);
    expect(await found(api, 'cafe angstrom')).toEqual(['/local/names/Café Müller – Ångström.md']);
    expect(await found(api, 'full WIDTH')).toEqual(['/local/names/ＦＵＬＬ width.txt']);
  });

  it('ranks the exact name first, then names starting with it, then the rest', async () => {
    expect(await found(api, 'EXACT')).toEqual(['/local/names/exact', '/local/names/exact match.txt', '/local/names/an exact one.txt']);
    const page2 = await search(api, 'exact', { page: 2, per_page: 2 });
    expect(page2).toMatchObject({ total: 3, content: [{ name: 'an exact one.txt', parent: '/local/names', is_dir: false }] });
    expect((await search(api, 'names', { scope: 1 })).content.map((h) => h.name)).toEqual(['names']);
    expect((await search(api, 'names', { scope: 2 })).total).toBe(0);
    expect(await found(api, 'exact', { parent: '/wd' })).toEqual([]);
  });

  it('leaves out ignored paths and what lies deeper than max_index_depth', async () => {
    expect(await found(api, 'never-indexed')).toEqual([]);
    expect(await found(api, 'l3')).toEqual(['/local/deep/l2/l3']);
    expect(await found(api, 'too-deep')).toEqual([]);
  });

  it('finds a file written through WebDAV within a second, and forgets it within a second once removed', async () => {
    for (const [path, name] of [['/wd/w3', 'fresh-upload ünï.txt'], ['/local/d3', 'fresh-local 新しい.txt']] as const) {
      const url = `/dav${path}/${encodeURIComponent(name)}`;
      expect((await dav(server.url, 'PUT', url, { body: 'new' })).status).toBeLessThan(300);
      await waitFor(async () => (await found(api, name.slice(6, 16))).includes(`${path}/${name}`), 1000, `${name} to be found`);
      expect((await dav(server.url, 'DELETE', url)).status).toBeLessThan(300);
      await waitFor(async () => (await found(api, name.slice(6, 16))).length === 0, 1000, `${name} to be gone`);
    }
    // A folder made, filled, moved and removed through WebDAV.
    expect((await dav(server.url, 'MKCOL', '/dav/local/made-here')).status).toBe(201);
    expect((await dav(server.url, 'PUT', '/dav/local/made-here/inner-file.txt', { body: 'x' })).status).toBeLessThan(300);
    expect((await dav(server.url, 'MOVE', '/dav/local/made-here', { headers: { destination: `${server.url}/dav/local/moved-there` } })).status).toBeLessThan(300);
    await waitFor(async () => (await found(api, 'inner-file')).join() === '/local/moved-there/inner-file.txt', 1000, 'the moved file');
    expect(await found(api, 'made-here')).toEqual([]);
    expect((await dav(server.url, 'DELETE', '/dav/local/moved-there')).status).toBeLessThan(300);
    await waitFor(async () => (await found(api, 'inner-file')).length === 0 && (await found(api, 'moved-there')).length === 0, 1000, 'the removed folder');
  });

  it('learns of changes made behind its back from listings, and answers from the index while a storage is down', async () => {
    writeFileSync(join(local, 'd5', 'behind-the-back.txt'), 'x');
    expect(await found(api, 'behind-the-back')).toEqual([]);
    expect((await api.post('/api/fs/list', { path: '/local/d5', refresh: true })).code).toBe(200);
    await waitFor(async () => (await found(api, 'behind-the-back')).length === 1, 1000, 'the file a listing found');
    rmSync(join(local, 'd5', 'behind-the-back.txt'));
    expect((await api.post('/api/fs/list', { path: '/local/d5', refresh: true })).code).toBe(200);
    await waitFor(async () => (await found(api, 'behind-the-back')).length === 0, 1000, 'the file a listing lost');
  });

  it('answers the admin index routes as OpenList does', async () => {
    expect(await api.post('/api/admin/index/stop')).toMatchObject({ code: 400, message: 'index is not running' });
    expect(await api.post('/api/admin/index/update', { paths: ['/wd/w1'], max_depth: 1 })).toMatchObject({ code: 200 });
    await crawled(api, 1);
    expect(await api.post('/api/admin/index/clear')).toMatchObject({ code: 200 });
    expect((await api.get('/api/admin/index/progress')).data).toMatchObject({ obj_count: 0, is_done: true, last_done_time: null, error: '' });
    expect(await found(api, 'remote-7-33')).toEqual([]);
    expect(await api.post('/api/admin/index/build')).toMatchObject({ code: 200 });
    expect(await api.post('/api/admin/index/build')).toMatchObject({ code: 400, message: 'index is running' });
    expect(await api.post('/api/admin/index/clear')).toMatchObject({ code: 400, message: 'index is running' });
    await crawled(api, total);
    expect(await found(api, 'remote-7-33')).toEqual(['/wd/w7/remote-7-33.dat']);
    expect((await ApiClient.for(server).get('/api/admin/index/progress')).code).not.toBe(200);
  });

  it('never walks a storage to search: with the WebDAV upstream gone, its entries are still found', async () => {
    await rclone.close();
    expect(await found(api, 'remote-19-49')).toEqual(['/wd/w19/remote-19-49.dat']);
  });

  it('answers 404 "search not available" on every route while search_index is none', async () => {
    await api.post('/api/admin/setting/save', [{ key: 'search_index', value: 'none' }]);
    try {
      expect(await api.post('/api/fs/search', { parent: '/', keywords: 'x' })).toMatchObject({ code: 404, message: 'search not available' });
      for (const a of ['build', 'update', 'stop', 'clear']) expect(await api.post(`/api/admin/index/${a}`)).toMatchObject({ code: 404, message: 'search not available' });
      expect(await api.get('/api/admin/index/progress')).toMatchObject({ code: 404, message: 'search not available' });
    } finally {
      await api.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database' }]);
    }
  });
});
