import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { Perm } from '../../src/auth/permissions.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

/**
 * Shares over real HTTP: OpenList's /api/share/* for creators, /api/fs/list|get over
 * `/@s/<id>/...` and /sd/<id>/... for anyone with the link. A share acts as its creator as the
 * creator is now, read-only, under the shared path: revoking it, disabling its creator, taking
 * the share bit, moving the creator's base path or adding a folder password ends it on the very
 * next request; its own password, expiry and access limit hold on every door.
 */
describe('shares', () => {
  let work: string;
  let server: TestServer;
  let admin: ApiClient;
  let alice: ApiClient;
  let anon: ApiClient;
  const movie = randomBytes(300_000);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-shares-'));
    mkdirSync(join(work, 'alice', 'x', 'sub'), { recursive: true });
    mkdirSync(join(work, 'alice', 'private'), { recursive: true });
    writeFileSync(join(work, 'alice', 'x', 'movie.bin'), movie);
    writeFileSync(join(work, 'alice', 'x', 'sub', 'note.txt'), 'a note');
    writeFileSync(join(work, 'alice', 'private', 'secret.txt'), 'secret');
    writeFileSync(join(work, 'alice', 'y.txt'), 'why');
    server = await startTestServer({
      config: { trust_proxy: true },
      storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) }],
    });
    admin = ApiClient.for(server);
    await admin.login();
    // The guest is disabled: share links work without it.
    const guest = (await admin.get<{ content: { id: number; username: string }[] }>('/api/admin/user/list')).data.content.find((u) => u.username === 'guest');
    const g = (await admin.get<Record<string, unknown>>(`/api/admin/user/get?id=${guest?.id}`)).data;
    expect((await admin.post('/api/admin/user/update', { ...g, disabled: true })).code).toBe(200);
    expect(
      (await admin.post('/api/admin/user/create', { username: 'alice', password: 'alice-pass-1', base_path: '/alice', permission: Perm.Share | Perm.ShareCustomId })).code,
    ).toBe(200);
    alice = ApiClient.for(server);
    await alice.login('alice', 'alice-pass-1');
    anon = ApiClient.for(server);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const list = (path: string, password = '', ip = '10.0.0.1') => anon.call('POST', '/api/fs/list', { path, password }, from(ip));
  const get = (path: string, password = '', ip = '10.0.0.1') => anon.call<{ raw_url: string; size: number; name: string }>('POST', '/api/fs/get', { path, password }, from(ip));
  const sd = (url: string, headers: Record<string, string> = {}) => fetch(url.startsWith('http') ? url : server.url + url, { headers });

  /** A zip response's entries: name → content (folders end in / with no content). */
  async function unzip(res: Response): Promise<Map<string, string>> {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = await yauzl.fromBufferPromise(Buffer.from(await res.arrayBuffer()), { lazyEntries: true });
    const entries = await new Promise<yauzl.Entry[]>((done, fail) => {
      const all: yauzl.Entry[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        all.push(e);
        zip.readEntry();
      });
      zip.on('end', () => done(all));
      zip.on('error', fail);
      zip.readEntry();
    });
    const out = new Map<string, string>();
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) out.set(entry.fileName, '');
      else {
        const chunks: Buffer[] = [];
        for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
        out.set(entry.fileName, Buffer.concat(chunks).toString('latin1'));
      }
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  async function share(client: ApiClient, body: Record<string, unknown>): Promise<string> {
    const r = await client.post<{ id: string }>('/api/share/create', body);
    expect(r).toMatchObject({ code: 200 });
    return r.data.id;
  }

  async function userId(name: string): Promise<number> {
    const users = (await admin.get<{ content: { id: number; username: string }[] }>('/api/admin/user/list')).data.content;
    return users.find((u) => u.username === name)?.id ?? -1;
  }

  it('serves a shared folder: list, get, download with Range, and never the real path', async () => {
    const id = await share(alice, { files: ['/x'], remark: 'for bob' });
    const l = await list(`/@s/${id}`);
    expect(l.code).toBe(200);
    expect((l.data as { content: { name: string }[] }).content.map((e) => e.name).sort()).toEqual(['movie.bin', 'sub']);
    expect((await list(`/@s/${id}/sub`)).data).toMatchObject({ content: [{ name: 'note.txt', size: 6 }], write: false });
    const g = await get(`/@s/${id}/movie.bin`);
    expect(g).toMatchObject({ code: 200, data: { name: 'movie.bin', size: movie.length } });
    expect(g.data.raw_url).toBe(`${server.url}/sd/${id}/movie.bin`);
    expect(g.data.raw_url).not.toContain('alice');
    const whole = await sd(g.data.raw_url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(movie)).toBe(true);
    const part = await sd(g.data.raw_url, { range: 'bytes=1000-1999' });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(movie.subarray(1000, 2000))).toBe(true);
    // The creator's list shows it; another user's does not.
    expect((await alice.get<{ content: { id: string; creator: string; files: string[] }[] }>('/api/share/list')).data.content).toContainEqual(
      expect.objectContaining({ id, creator: 'alice', files: ['/alice/x'] }),
    );
  });

  it('a share of several items lists them by name at its root and reaches nothing beside them', async () => {
    const id = await share(alice, { files: ['/x/sub', '/y.txt'] });
    expect(((await list(`/@s/${id}`)).data as { content: { name: string }[] }).content.map((e) => e.name).sort()).toEqual(['sub', 'y.txt']);
    expect((await get(`/@s/${id}/sub/note.txt`)).code).toBe(200);
    expect((await sd(`/sd/${id}/y.txt`)).status).toBe(200);
    // The share's root downloads as one zip of its items.
    expect(await unzip(await sd(`/sd/${id}`))).toEqual(new Map([['sub/', ''], ['sub/note.txt', 'a note'], ['y.txt', 'why']]));
    for (const probe of ['/movie.bin', '/x/movie.bin', '/private/secret.txt', '/sub/../../private/secret.txt', '/sub/%2e%2e/%2e%2e/private/secret.txt', '/../y.txt']) {
      const r = await get(`/@s/${id}${probe}`);
      expect(r.code, probe).toBeGreaterThanOrEqual(400);
      expect(r.code, probe).toBeLessThan(500);
      const d = await sd(`/sd/${id}${probe}`);
      expect(d.status, probe).toBeGreaterThanOrEqual(400);
      expect(d.status, probe).toBeLessThan(500);
    }
  });

  it('its password is asked on every door', async () => {
    const id = await share(alice, { files: ['/x'], pwd: 'open-sesame' });
    expect(await list(`/@s/${id}`)).toMatchObject({ code: 403, message: 'wrong share code' });
    expect((await list(`/@s/${id}`, 'open-sesame')).code).toBe(200);
    const g = await get(`/@s/${id}/movie.bin`, 'open-sesame');
    expect(g.data.raw_url).toBe(`${server.url}/sd/${id}/movie.bin?pwd=open-sesame`);
    expect((await sd(`/sd/${id}/movie.bin`)).status).toBe(403);
    expect((await sd(g.data.raw_url)).status).toBe(200);
  });

  it('counts accesses per visit, not per request: max 1 lets the first visitor browse and download, and no one else', async () => {
    const id = await share(alice, { files: ['/x'], max_accessed: 1 });
    for (let i = 0; i < 3; i++) expect((await list(`/@s/${id}`, '', '10.1.1.1')).code).toBe(200);
    expect((await get(`/@s/${id}/movie.bin`, '', '10.1.1.1')).code).toBe(200);
    expect((await sd(`/sd/${id}/movie.bin`, from('10.1.1.1'))).status).toBe(200);
    expect(await list(`/@s/${id}`, '', '10.2.2.2')).toMatchObject({ code: 410 });
    expect((await sd(`/sd/${id}/movie.bin`, from('10.2.2.2'))).status).toBe(410);
    expect((await alice.get<{ accessed: number }>(`/api/share/get?id=${id}`)).data.accessed).toBe(1);
  });

  it('ends on the next request when revoked, disabled, expired, or its creator loses the right', async () => {
    const id = await share(alice, { files: ['/x'] });
    expect((await list(`/@s/${id}`)).code).toBe(200);
    expect((await alice.post(`/api/share/disable?id=${id}`)).code).toBe(200);
    expect((await list(`/@s/${id}`)).code).toBe(410);
    expect((await sd(`/sd/${id}/movie.bin`)).status).toBe(410);
    expect((await alice.post(`/api/share/enable?id=${id}`)).code).toBe(200);
    expect((await list(`/@s/${id}`)).code).toBe(200);

    const s = (await alice.get<Record<string, unknown>>(`/api/share/get?id=${id}`)).data;
    expect((await alice.post('/api/share/update', { ...s, files: ['/x'], expires: new Date(Date.now() - 1000).toISOString() })).code).toBe(200);
    expect((await list(`/@s/${id}`)).code).toBe(410);
    expect((await alice.post('/api/share/update', { ...s, files: ['/x'], expires: null })).code).toBe(200);
    expect((await get(`/@s/${id}/movie.bin`)).code).toBe(200);

    // The creator's base path moves away: the share reaches nothing under the new one.
    const aliceId = await userId('alice');
    const a = (await admin.get<Record<string, unknown>>(`/api/admin/user/get?id=${aliceId}`)).data;
    expect((await admin.post('/api/admin/user/update', { ...a, base_path: '/alice/private' })).code).toBe(200);
    expect((await get(`/@s/${id}/movie.bin`)).code).toBe(403);
    expect((await sd(`/sd/${id}/movie.bin`)).status).toBe(403);
    // The share bit taken, or the creator disabled: the share is no longer valid.
    expect((await admin.post('/api/admin/user/update', { ...a, permission: 0 })).code).toBe(200);
    expect((await list(`/@s/${id}`)).code).toBe(410);
    expect((await admin.post('/api/admin/user/update', { ...a, disabled: true })).code).toBe(200);
    expect((await list(`/@s/${id}`)).code).toBe(410);
    expect((await admin.post('/api/admin/user/update', a)).code).toBe(200);
    expect((await list(`/@s/${id}`)).code).toBe(200);
    // Disabling a user ends its sessions: Alice signs in again.
    await alice.login('alice', 'alice-pass-1');

    expect((await alice.post(`/api/share/delete?id=${id}`)).code).toBe(200);
    expect((await list(`/@s/${id}`)).code).toBe(404);
    expect((await sd(`/sd/${id}/movie.bin`)).status).toBe(404);
  });

  it('a folder password added after the share was made ends it there, even for an administrator\u2019s share', async () => {
    const id = await share(admin, { files: ['/alice/x'] });
    expect((await get(`/@s/${id}/sub/note.txt`)).code).toBe(200);
    const meta = await admin.post('/api/admin/meta/create', { path: '/alice/x/sub', password: 'new-lock', p_sub: true });
    expect(meta.code).toBe(200);
    expect((await get(`/@s/${id}/sub/note.txt`)).code).toBe(403);
    expect((await sd(`/sd/${id}/sub/note.txt`)).status).toBe(403);
    // The rest of the share still works.
    expect((await get(`/@s/${id}/movie.bin`)).code).toBe(200);
    // Shared again now, the share is made under that password and passes it.
    const again = await share(admin, { files: ['/alice/x'] });
    expect((await get(`/@s/${again}/sub/note.txt`)).code).toBe(200);
  });

  it('downloads a shared folder as a zip streamed while built, with only what the share may see', async () => {
    mkdirSync(join(work, 'alice', 'z', 'deep', 'er'), { recursive: true });
    writeFileSync(join(work, 'alice', 'z', 'a.txt'), 'A');
    writeFileSync(join(work, 'alice', 'z', 'deep', 'er', 'b.txt'), 'B');
    mkdirSync(join(work, 'alice', 'z', 'locked'));
    writeFileSync(join(work, 'alice', 'z', 'locked', 'c.txt'), 'C');
    writeFileSync(join(work, 'alice', 'z', '.hidden-d.txt'), 'D');
    const id = await share(admin, { files: ['/alice/z'] });
    expect((await admin.post('/api/admin/meta/create', { path: '/alice/z/locked', password: 'later', p_sub: true })).code).toBe(200);
    expect((await admin.post('/api/admin/meta/create', { path: '/alice/z', hide: '^\\.hidden', h_sub: true })).code).toBe(200);
    // An administrator's share sees hidden names as its creator does; the password set after it was made keeps its folder out.
    expect(await unzip(await sd(`/sd/${id}`))).toEqual(
      new Map([['z/', ''], ['z/.hidden-d.txt', 'D'], ['z/a.txt', 'A'], ['z/deep/', ''], ['z/deep/er/', ''], ['z/deep/er/b.txt', 'B']]),
    );
    const big = await unzip(await sd(`/sd/${await share(alice, { files: ['/x'] })}`));
    expect(Buffer.from(big.get('x/movie.bin') ?? '', 'latin1').equals(movie)).toBe(true);
  });

  it('refuses what a creator may not share, and what a user may not manage', async () => {
    expect(await alice.post('/api/share/create', { files: [] })).toMatchObject({ code: 400, message: 'must add at least 1 object' });
    // Alice's paths are under her base path: "/../x" cannot climb out of it.
    expect((await alice.post('/api/share/create', { files: ['/../x'] })).code).toBe(403);
    expect(await alice.post('/api/share/create', { files: ['/x'], id: 'bad id!' })).toMatchObject({ code: 400 });
    const custom = await share(alice, { files: ['/x'], id: '共享-1' });
    expect(custom).toBe('共享-1');
    expect((await alice.post('/api/share/create', { files: ['/x'], id: '共享-1' })).code).toBe(400);
    expect((await admin.post('/api/admin/user/create', { username: 'bob', password: 'bob-pass-12', base_path: '/', permission: 0 })).code).toBe(200);
    const bob = ApiClient.for(server);
    await bob.login('bob', 'bob-pass-12');
    expect((await bob.post('/api/share/create', { files: ['/alice/x'] })).code).toBe(403);
    expect((await bob.get(`/api/share/get?id=${custom}`)).code).toBe(404);
    expect((await bob.post(`/api/share/delete?id=${custom}`)).code).toBe(404);
    expect((await bob.get<{ total: number }>('/api/share/list')).data.total).toBe(0);
    expect((await list(`/@s/${custom}`)).code).toBe(200);
    expect((await list('/@s/no-such-share')).code).toBe(404);
  });
});
