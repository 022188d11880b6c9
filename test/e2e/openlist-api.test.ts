import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_KINDS } from '../../src/wire/tasks.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

interface Item {
  key: string;
  value: string;
  type: string;
  group: number;
  flag: number;
  options: string;
  help: string;
  index: number;
}

/** How OpenList's UI reads `hide_files`: one `/pattern/flags` a line, each given to RegExp. */
function uiRegexps(text: string): RegExp[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const m = /^\/(.*)\/([a-z]*)$/.exec(line.trim());
    if (!m) throw new Error(`not a /pattern/flags line: ${line}`);
    return new RegExp(m[1] ?? '', m[2]);
  });
}

describe('what the official OpenList web UI reads from the API', () => {
  let server: TestServer;
  let api: ApiClient;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-openlist-'));
    writeFileSync(join(work, 'a.txt'), 'a');
    server = await startTestServer({ storages: [{ mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) }] });
    api = ApiClient.for(server);
    await api.login();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('public settings have the keys the UI reads, with OpenList’s defaults, and no private ones', async () => {
    const pub = (await ApiClient.for(server).get<Record<string, string>>('/api/public/settings')).data;
    expect(pub.hide_files).toBe('/\\/README.md/i');
    const [hide] = uiRegexps(pub.hide_files ?? '');
    expect(hide?.test('/docs/readme.md')).toBe(true);
    expect(hide?.test('/docs/notes.md')).toBe(false);
    expect(pub).toMatchObject({
      readme_autorender: 'true', filter_readme_scripts: 'true', video_autoplay: 'true', audio_autoplay: 'true', package_download: 'true',
      external_previews: '{}', home_icon: '🏠', logo: 'https://res.oplist.org/logo/logo.svg', favicon: 'https://res.oplist.org/logo/logo.svg',
      search_index: 'none', pagination_type: 'all', default_page_size: '30',
    });
    expect(Object.keys(JSON.parse(pub.iframe_previews ?? ''))).toContain('pdf');
    for (const key of ['token', 'sign_all', 'sign_key', 'link_expiration', 'aria2_secret', 'text_types']) expect(pub[key], key).toBeUndefined();
    for (const [key, value] of Object.entries(pub)) expect(typeof value, key).toBe('string');
  });

  it('archive_extensions is a string array (none: no archive tool is built)', async () => {
    const r = await ApiClient.for(server).get('/api/public/archive_extensions');
    expect(r).toMatchObject({ code: 200 });
    expect(Array.isArray(r.data)).toBe(true);
    expect(r.data.every((e: unknown) => typeof e === 'string')).toBe(true);
  });

  it('the admin has OpenList’s bits 0x71FF in /api/me; the guest has none and is disabled', async () => {
    expect((await api.get('/api/me')).data).toMatchObject({ username: 'admin', role: 2, permission: 0x71ff });
    const users = (await api.get('/api/admin/user/list')).data.content as { username: string; permission: number; disabled: boolean; role: number }[];
    expect(users.find((u) => u.username === 'guest')).toMatchObject({ role: 1, permission: 0, disabled: true });
  });

  it('setting/list gives OpenList’s groups, options, help and order', async () => {
    const all = (await api.get<Item[]>('/api/admin/setting/list')).data;
    const byKey = new Map(all.map((s) => [s.key, s]));
    expect(byKey.get('pagination_type')).toMatchObject({ type: 'select', group: 1, options: 'all,pagination,load_more,auto_load_more' });
    expect(byKey.get('hide_files')).toMatchObject({ type: 'text', group: 4, flag: 0 });
    expect(byKey.get('search_index')).toMatchObject({ type: 'select', group: 6, options: 'none,database,database_non_full_text' });
    expect(byKey.get('link_expiration')?.help).toMatch(/hours/);
    const index = (await api.get<Item[]>('/api/admin/setting/list?group=6')).data;
    expect(index.map((s) => s.key)).toEqual(['search_index', 'auto_update_index', 'ignore_paths', 'max_index_depth', 'index_crawl_interval', 'index_crawl_rate']);
    const site = (await api.get<Item[]>('/api/admin/setting/list?group=1')).data;
    expect(site.map((s) => s.key).slice(0, 3)).toEqual(['version', 'site_title', 'announcement']);
    expect(site.map((s) => s.index)).toEqual([...site.map((s) => s.index)].sort((a, b) => a - b));
  });

  it('saving an unchanged group skips its read-only items; changes are validated by type and options', async () => {
    const site = (await api.get<Item[]>('/api/admin/setting/list?groups=1')).data;
    const edited = site.map((s) => (s.key === 'site_title' ? { ...s, value: 'Saved whole' } : s));
    expect(await api.post('/api/admin/setting/save', edited)).toMatchObject({ code: 200 });
    expect((await api.get('/api/public/settings')).data.site_title).toBe('Saved whole');
    expect(await api.post('/api/admin/setting/save', [{ key: 'version', value: 'changed' }])).toMatchObject({ code: 403, message: 'setting version is read-only' });
    expect(await api.post('/api/admin/setting/save', [{ key: 'allow_indexed', value: 'yes' }])).toMatchObject({ code: 400, message: expect.stringContaining('allow_indexed') });
    expect(await api.post('/api/admin/setting/save', [{ key: 'pagination_type', value: 'endless' }])).toMatchObject({ code: 400, message: expect.stringContaining('pagination_type') });
    expect(await api.post('/api/admin/setting/save', [{ key: 'default_page_size', value: 'ten' }])).toMatchObject({ code: 400, message: expect.stringContaining('default_page_size') });
    // A refused save changes nothing, even the valid items beside the bad one.
    expect((await api.post('/api/admin/setting/save', [{ key: 'site_title', value: 'Not saved' }, { key: 'search_index', value: 'bleve' }])).code).toBe(400);
    expect((await api.get('/api/public/settings')).data).toMatchObject({ site_title: 'Saved whole', search_index: 'none' });
  });

  it('search, and the index routes, answer 404 "search not available" while search_index is none', async () => {
    expect(await api.post('/api/fs/search', { parent: '/', keywords: 'a' })).toMatchObject({ code: 404, message: 'search not available' });
    expect(await api.get('/api/admin/index/progress')).toMatchObject({ code: 404, message: 'search not available' });
    await api.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database' }]);
    try {
      // The index (src/search) crawls in the background once turned on: test/search has the rest.
      await waitFor(async () => (await api.get('/api/admin/index/progress')).data?.is_done === true && (await api.post('/api/fs/search', { parent: '/', keywords: 'a.txt' })).data.total === 1, 10_000, 'the index');
      expect(await api.get('/api/admin/index/progress')).toMatchObject({ code: 200, data: { is_done: true, error: '' } });
    } finally {
      await api.post('/api/admin/setting/save', [{ key: 'search_index', value: 'none' }]);
    }
  });

  it('every task kind answers undone and done under /api/task and /api/admin/task', async () => {
    for (const prefix of ['/api/task', '/api/admin/task']) {
      for (const kind of TASK_KINDS) {
        for (const list of ['undone', 'done']) expect(await api.get(`${prefix}/${kind}/${list}`), `${prefix}/${kind}/${list}`).toEqual({ code: 200, message: 'success', data: [] });
      }
    }
  });

  it('scan, shares and SSH keys answer in OpenList’s shape (empty where not built)', async () => {
    expect(await api.get('/api/admin/scan/progress')).toEqual({ code: 200, message: 'success', data: { obj_count: 0, is_done: true } });
    expect((await api.post('/api/admin/scan/start', { path: '/', limit: 0 })).code).toBe(501);
    expect(await api.get('/api/share/list?page=1&per_page=20')).toEqual({ code: 200, message: 'success', data: { content: [], total: 0 } });
    expect(await api.post('/api/share/list', { page: 1, per_page: 20 })).toMatchObject({ code: 200, data: { content: [], total: 0 } });
    // Shares are built (api/shares.ts): whether by them or by the stand-ins, an unknown share is not found.
    expect((await api.get('/api/share/get?id=no-such-share')).code).toBe(404);
    expect(await api.get('/api/me/sshkey/list')).toEqual({ code: 200, message: 'success', data: [] });
    expect(await api.get('/api/admin/user/sshkey/list?uid=1')).toEqual({ code: 200, message: 'success', data: [] });
    // Shares are not the guest's (OpenList's AuthNotGuest), and not the anonymous visitor's.
    expect((await ApiClient.for(server).get('/api/share/list')).code).toBe(401);
  });

  it('a storage made through the API has a webdav_policy its driver form offers', async () => {
    const created = await api.post('/api/admin/storage/create', { mount_path: '/api-made', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) });
    expect(created.code).toBe(200);
    const stored = (await api.get(`/api/admin/storage/get?id=${created.data.id}`)).data;
    const info = (await api.get('/api/admin/driver/info?driver=Local')).data;
    const item = info.common.find((i: { name: string }) => i.name === 'webdav_policy');
    expect(item.options.split(',')).toContain(stored.webdav_policy);
    expect(stored.webdav_policy).toBe('native_proxy');
    // Even asked for a redirect, a proxy-only driver stores what it does.
    expect((await api.post('/api/admin/storage/update', { ...stored, webdav_policy: '302_redirect' })).code).toBe(200);
    expect((await api.get(`/api/admin/storage/get?id=${created.data.id}`)).data.webdav_policy).toBe('native_proxy');
    await api.post(`/api/admin/storage/delete?id=${created.data.id}`);
  });
});

describe('upgrading a database made before the OpenList UI settings', () => {
  it('hide_files becomes OpenList’s text setting and an admin without bits gets 0x71FF', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'filebridge-upgrade-'));
    try {
      const first = await startTestServer({ dataDir });
      await first.stop();
      // As the previous version left it: hide_files a bool "false", the admin with no bit, the
      // search setting private in the global group, and this version's migration not run.
      const db = new Database(join(dataDir, 'data.db'));
      db.prepare("UPDATE settings SET type = 'bool', value = 'false' WHERE key = 'hide_files'").run();
      db.prepare("UPDATE settings SET group_id = 4, flag = 1 WHERE key = 'search_index'").run();
      db.prepare("UPDATE users SET permission = 0 WHERE username = 'admin'").run();
      // (Later migrations run again after it: they are written to be safe to repeat.)
      db.prepare("DELETE FROM kysely_migration WHERE name >= '20261206020000_openlist_ui'").run();
      db.close();
      const second = await startTestServer({ dataDir });
      try {
        const api = ApiClient.for(second);
        await api.login();
        expect((await api.get('/api/me')).data.permission).toBe(0x71ff);
        expect((await api.get('/api/admin/setting/get?key=hide_files')).data).toMatchObject({ type: 'text', value: '/\\/README.md/i' });
        expect((await api.get('/api/admin/setting/get?key=search_index')).data).toMatchObject({ group: 6, flag: 0 });
        expect((await ApiClient.for(second).get('/api/public/settings')).data.search_index).toBe('none');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
