import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

type Obj = { name: string; size: number; is_dir: boolean; type: number; sign: string; modified: string; hashinfo: string; hash_info: unknown };
const names = (content: Obj[]) => content.map((o) => o.name);

describe('fs routes', () => {
  let server: TestServer;
  let api: ApiClient;
  const files = () => join(server.dataDir, 'files');

  beforeAll(async () => {
    server = await startTestServer();
    api = ApiClient.for(server);
    await api.login();
    await api.put('/docs/a.txt', 'aaa');
    await api.put('/docs/b.mp4', 'bbbb');
    await api.put('/docs/c.png', 'c');
    await api.post('/api/fs/mkdir', { path: '/docs/sub' });
    await api.post('/api/fs/mkdir', { path: '/empty' });
  });
  afterAll(async () => server?.stop());

  it('lists with every classic field, sorted, with signs for files', async () => {
    const r = await api.post('/api/fs/list', { path: '/docs', password: '', page: 1, per_page: 0, refresh: false });
    expect(r.code).toBe(200);
    expect(Object.keys(r.data).sort()).toEqual(['content', 'header', 'provider', 'readme', 'total', 'write']);
    expect(r.data).toMatchObject({ total: 4, provider: 'Local', write: true, readme: '', header: '' });
    expect(names(r.data.content)).toEqual(['a.txt', 'b.mp4', 'c.png', 'sub']);
    const [a, b, c, sub] = r.data.content as Obj[];
    expect(a).toMatchObject({ size: 3, is_dir: false, type: 4, hashinfo: 'null', hash_info: null, thumb: '' });
    expect(a?.sign).toMatch(/^[A-Za-z0-9_-]+=*:\d+$/); // expires in link_expiration hours (24 by default)
    expect(b?.type).toBe(2);
    expect(c?.type).toBe(5);
    expect(sub).toMatchObject({ is_dir: true, size: 0, type: 1, sign: '' });
    expect(Date.parse(a?.modified ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('pages in the classic way: per_page < 1 means all, page < 1 means 1', async () => {
    const p1 = await api.post('/api/fs/list', { path: '/docs', page: 0, per_page: 3 });
    expect(names(p1.data.content)).toEqual(['a.txt', 'b.mp4', 'c.png']);
    expect(p1.data.total).toBe(4);
    const p2 = await api.post('/api/fs/list', { path: '/docs', page: 2, per_page: 3 });
    expect(names(p2.data.content)).toEqual(['sub']);
    const get = await api.get('/api/fs/list?path=%2Fdocs&per_page=2');
    expect(get.data.content).toHaveLength(2);
  });

  it('returns [] for an empty folder and AList errors for missing ones', async () => {
    expect((await api.post('/api/fs/list', { path: '/empty' })).data.content).toEqual([]);
    expect(await api.post('/api/fs/list', { path: '/nope' })).toMatchObject({ code: 500, message: 'failed get objs: failed get dir: object not found' });
    expect(await api.post('/api/fs/get', { path: '/nope.txt' })).toMatchObject({ code: 500, message: 'failed get obj: object not found' });
    expect((await api.post('/api/fs/list', { path: 5 })).code).toBe(400);
  });

  it('gets one object with raw_url that downloads it', async () => {
    const r = await api.post('/api/fs/get', { path: '/docs/a.txt' });
    expect(r.data).toMatchObject({ name: 'a.txt', size: 3, is_dir: false, provider: 'Local', related: null });
    expect(r.data.raw_url).toMatch(new RegExp(`^${server.url}/p/docs/a\\.txt\\?sign=`));
    expect(await (await fetch(r.data.raw_url)).text()).toBe('aaa');
    expect((await api.post('/api/fs/get', { path: '/docs' })).data).toMatchObject({ is_dir: true, raw_url: '' });
  });

  it('lists folders only with fs/dirs and finds names with fs/search', async () => {
    expect((await api.post('/api/fs/dirs', { path: '/' })).data.map((d: { name: string }) => d.name)).toEqual(['docs', 'empty']);
    expect(await api.post('/api/fs/search', { parent: '/', keywords: 'B.MP' })).toMatchObject({ code: 404, message: 'search not available' });
    await api.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database' }]);
    // Turned on, the index crawls the storages in the background.
    await waitFor(async () => (await api.get('/api/admin/index/progress')).data?.is_done === true && (await api.post('/api/fs/search', { parent: '/', keywords: 'B.MP' })).data.total > 0, 10_000, 'the index');
    const s = await api.post('/api/fs/search', { parent: '/', keywords: 'B.MP', scope: 0, page: 1, per_page: 10 });
    expect(s.data).toEqual({ content: [{ parent: '/docs', name: 'b.mp4', is_dir: false, size: 4, type: 2 }], total: 1 });
    expect((await api.post('/api/fs/search', { parent: '/', keywords: 'sub', scope: 2 })).data.total).toBe(0);
  });

  it('uploads with AList headers: Overwrite, Last-Modified in ms, unknown length', async () => {
    const mtime = Date.UTC(2020, 0, 2, 3, 4, 5);
    expect((await api.put('/up/t.txt', 'one', { 'last-modified': String(mtime) })).code).toBe(200);
    const got = await api.post('/api/fs/get', { path: '/up/t.txt' });
    expect(Date.parse(got.data.modified)).toBe(mtime);
    expect(await api.put('/up/t.txt', 'two', { overwrite: 'false' })).toMatchObject({ code: 403, message: 'file exists' });
    expect(readFileSync(join(files(), 'up', 't.txt'), 'utf8')).toBe('one');
    async function* chunks() {
      yield Buffer.from('streamed ');
      yield Buffer.from('without length');
    }
    const res = await fetch(`${server.url}/api/fs/put`, {
      method: 'PUT',
      headers: { authorization: api.token, 'file-path': encodeURIComponent('/up/stream 名.txt') },
      body: ReadableStream.from(chunks()),
      duplex: 'half',
    } as RequestInit);
    expect(await res.json()).toMatchObject({ code: 200 });
    expect(readFileSync(join(files(), 'up', 'stream 名.txt'), 'utf8')).toBe('streamed without length');
    // As-Task: staged, then committed by a real upload task.
    const task = (await api.put('/up/task.txt', 'x', { 'as-task': 'true' })).data.task as { id: string; name: string };
    expect(task.name).toBe('upload task.txt to [/](/up/task.txt)');
    await waitFor(async () => (await api.post(`/api/task/upload/info?tid=${task.id}`)).data.state === 2, 20_000, 'the upload task');
    expect(readFileSync(join(files(), 'up', 'task.txt'), 'utf8')).toBe('x');
    const noPath = await fetch(`${server.url}/api/fs/put`, { method: 'PUT', headers: { authorization: api.token }, body: 'x' });
    expect(await noPath.json()).toMatchObject({ code: 400, message: 'File-Path header is required' });
  });

  it('uploads a multipart form', async () => {
    const form = new FormData();
    form.append('file', new Blob(['form body']), 'f.txt');
    const res = await fetch(`${server.url}/api/fs/form`, { method: 'PUT', headers: { authorization: api.token, 'file-path': encodeURIComponent('/up/form.txt') }, body: form });
    expect(await res.json()).toMatchObject({ code: 200 });
    expect(readFileSync(join(files(), 'up', 'form.txt'), 'utf8')).toBe('form body');
  });

  it('leaves nothing behind when an upload declares more bytes than it sends', async () => {
    const res = await fetch(`${server.url}/api/fs/put`, {
      method: 'PUT',
      headers: { authorization: api.token, 'file-path': encodeURIComponent('/up/short.bin'), 'content-length': '10' },
      body: 'abc',
    }).catch((err: unknown) => err);
    expect(res).toBeDefined();
    const list = await api.post('/api/fs/list', { path: '/up', refresh: true });
    expect(names(list.data.content)).not.toContain('short.bin');
  });

  it('renames, moves, copies and removes', async () => {
    await api.put('/ops/x.txt', 'x');
    await api.put('/ops/y.txt', 'y');
    expect((await api.post('/api/fs/rename', { path: '/ops/x.txt', name: 'x2.txt' })).code).toBe(200);
    expect(await api.post('/api/fs/rename', { path: '/ops/x2.txt', name: '../x3.txt' })).toMatchObject({ code: 403 });
    await api.post('/api/fs/mkdir', { path: '/ops/dst' });
    expect((await api.post('/api/fs/copy', { src_dir: '/ops', dst_dir: '/ops/dst', names: ['x2.txt'] })).data).toEqual({ message: 'Copy operations completed immediately' });
    expect(await api.post('/api/fs/copy', { src_dir: '/ops', dst_dir: '/ops/dst', names: ['x2.txt'] })).toMatchObject({ code: 403, message: 'file [x2.txt] exists' });
    expect((await api.post('/api/fs/move', { src_dir: '/ops', dst_dir: '/ops/dst', names: ['y.txt'] })).code).toBe(200);
    expect(names((await api.post('/api/fs/list', { path: '/ops' })).data.content)).toEqual(['dst', 'x2.txt']);
    expect(names((await api.post('/api/fs/list', { path: '/ops/dst' })).data.content)).toEqual(['x2.txt', 'y.txt']);
    expect(await api.post('/api/fs/move', { src_dir: '/ops', dst_dir: '/ops/dst', names: [] })).toMatchObject({ code: 400, message: 'Empty file names' });
    expect(await api.post('/api/fs/remove', { dir: '/ops', names: ['../docs'] })).toMatchObject({ code: 403 });
    expect((await api.post('/api/fs/remove', { dir: '/ops', names: ['dst', 'x2.txt'] })).code).toBe(200);
    expect((await api.post('/api/fs/list', { path: '/ops' })).data.content).toEqual([]);
  });

  it('requires write permission to refresh, and honours folder rules (password, hide, readme, write)', async () => {
    await api.post('/api/admin/meta/create', { path: '/docs', password: 'pw', p_sub: true, hide: '^c\\.', readme: '# Docs', write: true });
    const guest = (await api.get('/api/admin/user/list')).data.content.find((u: { username: string }) => u.username === 'guest');
    await api.post('/api/admin/user/update', { ...guest, disabled: false, permission: 0 });
    const anon = ApiClient.for(server);
    expect(await anon.post('/api/fs/list', { path: '/docs' })).toMatchObject({ code: 403, message: 'password is incorrect or you have no permission' });
    const ok = await anon.post('/api/fs/list', { path: '/docs', password: 'pw' });
    expect(names(ok.data.content)).toEqual(['a.txt', 'b.mp4', 'sub']);
    expect(ok.data).toMatchObject({ readme: '# Docs', write: true });
    expect(await anon.post('/api/fs/list', { path: '/', refresh: true })).toMatchObject({ code: 403, message: 'Refresh without permission' });
    // Writing into a protected folder needs its password too.
    expect(await anon.post('/api/fs/mkdir', { path: '/docs/by-guest' })).toMatchObject({ code: 403, message: 'password is incorrect or you have no permission' });
    expect((await anon.post('/api/fs/mkdir', { path: '/docs/by-guest', password: 'pw' })).code).toBe(200);
    expect((await api.post('/api/fs/list', { path: '/docs' })).data.content.map((o: Obj) => o.name)).toContain('c.png');
    await api.post('/api/admin/user/update', { ...guest, disabled: true });
  });
});
