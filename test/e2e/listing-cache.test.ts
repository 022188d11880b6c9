/**
 * The listing fast path keeps sorted listings and serialized pages while a storage's cached
 * listing lives. These tests warm that cache first (a file written behind the server's back stays
 * unseen, which shows the listing is cached), then change one thing through the server and expect
 * the very next listing to show it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

type Obj = { name: string; type: number; sign: string; is_dir: boolean };
const names = (content: Obj[]) => content.map((o) => o.name);

describe('listing cache', () => {
  let server: TestServer;
  let admin: ApiClient;
  let user: ApiClient;
  const disk = (rel: string) => join(server.dataDir, 'files', rel);

  const list = async (client: ApiClient, path: string, extra: Record<string, unknown> = {}) => {
    const r = await client.post('/api/fs/list', { path, ...extra });
    expect(r.code).toBe(200);
    return r.data as { content: Obj[]; total: number; readme: string; write: boolean };
  };

  /** Lists twice and checks that a file made on disk meanwhile is not seen: the listing is served from cache. */
  const warm = async (client: ApiClient, path: string) => {
    const first = await list(client, path);
    writeFileSync(disk(`${path.slice(1)}/behind-the-back-${Date.now()}.txt`), 'x');
    const second = await list(client, path);
    expect(names(second.content)).toEqual(names(first.content));
    return second;
  };

  beforeAll(async () => {
    server = await startTestServer();
    admin = ApiClient.for(server);
    await admin.login();
    // The default storage keeps listings for a while (cache_expiration in minutes).
    const storages = (await admin.get('/api/admin/storage/list')).data.content as { id: number; mount_path: string }[];
    const root = storages.find((s) => s.mount_path === '/');
    expect(root).toBeDefined();
    const got = (await admin.get(`/api/admin/storage/get?id=${root?.id}`)).data;
    expect((await admin.post('/api/admin/storage/update', { ...got, cache_expiration: 30 })).code).toBe(200);
    for (const n of ['b10.txt', 'b2.txt', 'a.mkv', 'c.png']) await admin.put(`/lc/${n}`, n);
    await admin.post('/api/fs/mkdir', { path: '/lc/sub' });
    await admin.post('/api/admin/user/create', { username: 'lc-user', password: 'lc-pass', permission: 0 });
    user = ApiClient.for(server);
    await user.login('lc-user', 'lc-pass');
  });
  afterAll(async () => server?.stop());

  it('serves a cached listing in natural name order, and an upload through the API shows at once', async () => {
    const before = await warm(admin, '/lc');
    expect(names(before.content).filter((n) => !n.startsWith('behind'))).toEqual(['a.mkv', 'b2.txt', 'b10.txt', 'c.png', 'sub']);
    await admin.put('/lc/new.txt', 'new');
    expect(names((await list(admin, '/lc')).content)).toContain('new.txt');
  });

  it('a page of a cached listing follows page and per_page', async () => {
    await warm(admin, '/lc');
    const all = await list(admin, '/lc');
    const p1 = await list(admin, '/lc', { page: 1, per_page: 2 });
    const p2 = await list(admin, '/lc', { page: 2, per_page: 2 });
    expect(p1.total).toBe(all.total);
    expect(names(p1.content)).toEqual(names(all.content).slice(0, 2));
    expect(names(p2.content)).toEqual(names(all.content).slice(2, 4));
  });

  it('a hide rule added or removed applies to the next listing of a user, while the admin still sees all', async () => {
    await warm(user, '/lc');
    await warm(admin, '/lc');
    const id = (await admin.post('/api/admin/meta/create', { path: '/lc', hide: '^c\\.' })).data.id as number;
    expect(names((await list(user, '/lc')).content)).not.toContain('c.png');
    expect((await list(user, '/lc')).total).toBe((await list(admin, '/lc')).total - 1);
    expect(names((await list(admin, '/lc')).content)).toContain('c.png');
    expect((await admin.post('/api/admin/meta/delete', { id })).code).toBe(200);
    expect(names((await list(user, '/lc')).content)).toContain('c.png');
  });

  it('a changed type list changes the types of the next listing', async () => {
    const before = await warm(admin, '/lc');
    expect(before.content.find((o) => o.name === 'a.mkv')?.type).toBe(2);
    const videos = (await admin.get('/api/admin/setting/get?key=video_types')).data.value as string;
    await admin.post('/api/admin/setting/save', [{ key: 'video_types', value: videos.split(',').filter((e) => e !== 'mkv').join(',') }]);
    expect((await list(admin, '/lc')).content.find((o) => o.name === 'a.mkv')?.type).toBe(0);
    await admin.post('/api/admin/setting/save', [{ key: 'video_types', value: videos }]);
    expect((await list(admin, '/lc')).content.find((o) => o.name === 'a.mkv')?.type).toBe(2);
  });

  it('a folder password set after a listing was cached voids the signs it hands out next', async () => {
    const before = await warm(admin, '/lc');
    const oldSign = before.content.find((o) => o.name === 'b2.txt')?.sign ?? '';
    expect(oldSign).not.toBe('');
    const id = (await admin.post('/api/admin/meta/create', { path: '/lc', password: 'lc-secret', p_sub: true })).data.id as number;
    const after = await list(admin, '/lc', { password: 'lc-secret' });
    const newSign = after.content.find((o) => o.name === 'b2.txt')?.sign ?? '';
    expect(newSign).not.toBe(oldSign);
    expect((await fetch(`${server.url}/d/lc/b2.txt?sign=${encodeURIComponent(oldSign)}`)).status).toBe(401);
    const ok = await fetch(`${server.url}/d/lc/b2.txt?sign=${encodeURIComponent(newSign)}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('b2.txt');
    await admin.post('/api/admin/meta/delete', { id });
  });

  it('a changed order policy of the storage orders the next listing', async () => {
    await warm(admin, '/lc');
    const storages = (await admin.get('/api/admin/storage/list')).data.content as { id: number; mount_path: string }[];
    const root = storages.find((s) => s.mount_path === '/');
    const got = (await admin.get(`/api/admin/storage/get?id=${root?.id}`)).data;
    expect((await admin.post('/api/admin/storage/update', { ...got, order_by: 'name', order_direction: 'desc', extract_folder: 'front' })).code).toBe(200);
    let listed: string[] = [];
    for (let i = 0; i < 100 && listed[0] !== 'sub'; i++) {
      const r = await admin.post('/api/fs/list', { path: '/lc' });
      listed = r.code === 200 ? names(r.data.content) : [];
      if (listed[0] !== 'sub') await new Promise((d) => setTimeout(d, 50));
    }
    expect(listed[0]).toBe('sub');
    const files = listed.slice(1).filter((n) => !n.startsWith('behind'));
    expect(files).toEqual([...files].sort((a, b) => b.localeCompare(a, undefined, { numeric: true })));
  });

  it('a signed-out session is refused on its next request although its token was verified before', async () => {
    const c = ApiClient.for(server);
    await c.login('lc-user', 'lc-pass');
    await list(c, '/lc');
    await list(c, '/lc');
    expect((await c.get('/api/auth/logout')).code).toBe(200);
    expect((await c.post('/api/fs/list', { path: '/lc' })).code).toBe(401);
  });
});
