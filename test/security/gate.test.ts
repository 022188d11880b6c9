import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Perm } from '../../src/auth/permissions.js';
import { OnedriveFake } from '../fakes/onedrive-fake.js';
import { onedriveOptionsFor } from '../fakes/onedrive-setup.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { basicAuth, raw } from './http.js';

/** Every bit a team member gets, but not "access without password" (bit 1) nor "see hidden". */
const MEMBER = Perm.Write | Perm.Rename | Perm.Move | Perm.Copy | Perm.Remove | Perm.WebdavRead | Perm.WebdavManage;
const DENIED = { code: 403, message: 'password is incorrect or you have no permission' };

/**
 * The holes a hostile review found in the doors, each tried against the API and WebDAV (and the
 * download links where they apply): targets outside the base path or token prefix, folder
 * passwords skipped on writes or carried out inside a copied tree, copies without the write bit,
 * case-folded spellings on a case-insensitive storage, deep listings and search walking into
 * protected folders, and folder passwords guessed without limit.
 */
describe('the authorization gate, attacked through every door', () => {
  let server: TestServer;
  let work: string;
  let root: string;
  let fake: OnedriveFake;
  let admin: ApiClient;
  const clients: Record<string, ApiClient> = {};
  const dav = (user: string, pass: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    raw(server.url, method, path, { authorization: basicAuth(user, pass), ...headers }, body);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-gate-'));
    root = join(work, 'root');
    for (const d of ['alice', 'victim', 'a', 'ab', 'pub', 'vault', 'open/inner', 'drop']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'victim', 'keep.txt'), 'victim data');
    writeFileSync(join(root, 'alice', 'mine.txt'), 'alice data');
    writeFileSync(join(root, 'a', 'f.txt'), 'a data');
    writeFileSync(join(root, 'ab', 'keep.txt'), 'ab data');
    writeFileSync(join(root, 'pub', 'f.txt'), 'public');
    writeFileSync(join(root, 'vault', 'secret.txt'), 'VAULT-SECRET');
    writeFileSync(join(root, 'open', 'inner', 'secret.txt'), 'INNER-SECRET');
    fake = await OnedriveFake.start();
    const secretDir = fake.tree.create(fake.tree.rootId, 'Secret', 'folder');
    fake.tree.create(secretDir.id, 'file.txt', 'file', { data: Buffer.from('OD-SECRET') });
    server = await startTestServer({
      storages: [
        { mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) },
        { mountPath: '/od', driver: 'Onedrive', addition: JSON.stringify(onedriveOptionsFor(fake, fake.issuer.issueRefreshToken())) },
      ],
      config: { webdav_propfind_infinity: true },
    });
    admin = ApiClient.for(server, server.settings.get('token'));
    for (const [path, password] of [['/vault', 'vault-pw'], ['/open/inner', 'inner-pw'], ['/od/Secret', 'od-pw']]) {
      expect((await admin.post('/api/admin/meta/create', { path, password, p_sub: true })).code).toBe(200);
    }
    const users: [string, string, number][] = [['alice', '/alice', MEMBER], ['bob', '/', MEMBER], ['carol', '/', MEMBER & ~Perm.Write]];
    for (const [username, base, permission] of users) {
      expect((await admin.post('/api/admin/user/create', { username, password: `${username}-pass`, base_path: base, permission })).code).toBe(200);
      clients[username] = ApiClient.for(server);
      await clients[username]?.login(username, `${username}-pass`);
    }
    await admin.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database' }]);
    // The index crawls every storage in the background once turned on.
    await waitFor(async () => (await admin.get('/api/admin/index/progress')).data?.is_done === true && (await admin.post('/api/fs/search', { parent: '/', keywords: 'secret.txt' })).data.total >= 2, 20_000, 'the search index');
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const api = (user: string) => clients[user] as ApiClient;

  it('a rename cannot land outside the base path: alice renaming her root onto /victim', async () => {
    const r = await api('alice').post('/api/fs/rename', { path: '/', name: 'victim', overwrite: true });
    expect(r.code).toBe(403);
    expect(readFileSync(join(root, 'victim', 'keep.txt'), 'utf8')).toBe('victim data');
    expect(readFileSync(join(root, 'alice', 'mine.txt'), 'utf8')).toBe('alice data');
    // Over WebDAV the same: MOVE of her root, and a Destination that climbs.
    expect((await dav('alice', 'alice-pass', 'MOVE', '/dav/', { destination: '/dav/../victim', overwrite: 'T' })).status).toBe(400);
    expect((await dav('alice', 'alice-pass', 'MOVE', '/dav/mine.txt', { destination: `${server.url}/dav/../../victim/keep.txt`, overwrite: 'T' })).status).toBe(400);
    expect(readFileSync(join(root, 'victim', 'keep.txt'), 'utf8')).toBe('victim data');
  });

  it('a token limited to /a cannot rename, move or copy onto /ab', async () => {
    const made = await api('bob').post('/api/me/tokens/create', { name: 'only-a', scope: 'write', path_prefix: '/a' });
    expect(made.code).toBe(200);
    const token = ApiClient.for(server, made.data.token as string);
    expect((await token.post('/api/fs/rename', { path: '/a', name: 'ab', overwrite: true })).code).toBe(403);
    expect((await token.post('/api/fs/move', { src_dir: '/a', dst_dir: '/ab', names: ['f.txt'] })).code).toBe(403);
    expect((await token.post('/api/fs/copy', { src_dir: '/a', dst_dir: '/ab', names: ['f.txt'] })).code).toBe(403);
    const davToken = (method: string, path: string, headers: Record<string, string>) => raw(server.url, method, path, { authorization: `Bearer ${made.data.token}`, ...headers });
    expect((await davToken('COPY', '/dav/a/f.txt', { destination: '/dav/ab/f.txt' })).status).toBe(403);
    expect((await davToken('MOVE', '/dav/a', { destination: '/dav/ab', overwrite: 'T' })).status).toBe(403);
    expect(readFileSync(join(root, 'ab', 'keep.txt'), 'utf8')).toBe('ab data');
    expect(existsSync(join(root, 'ab', 'f.txt'))).toBe(false);
    // Inside its prefix it works.
    expect((await token.post('/api/fs/mkdir', { path: '/a/inside' })).code).toBe(200);
  });

  it('folder passwords guard copy, move, rename and remove over the API', async () => {
    const bob = api('bob');
    expect(await bob.post('/api/fs/copy', { src_dir: '/vault', dst_dir: '/pub', names: ['secret.txt'] })).toMatchObject(DENIED);
    expect(await bob.post('/api/fs/move', { src_dir: '/vault', dst_dir: '/pub', names: ['secret.txt'] })).toMatchObject(DENIED);
    expect(await bob.post('/api/fs/rename', { path: '/vault/secret.txt', name: 'x.txt' })).toMatchObject(DENIED);
    expect(await bob.post('/api/fs/remove', { dir: '/vault', names: ['secret.txt'] })).toMatchObject(DENIED);
    // A protected folder below the one carried: /open holds /open/inner.
    expect(await bob.post('/api/fs/copy', { src_dir: '/', dst_dir: '/pub', names: ['open'] })).toMatchObject(DENIED);
    expect(await bob.post('/api/fs/move', { src_dir: '/', dst_dir: '/pub', names: ['open'] })).toMatchObject(DENIED);
    expect(await bob.post('/api/fs/rename', { path: '/open', name: 'opened' })).toMatchObject(DENIED);
    expect(await bob.post('/api/fs/remove', { dir: '/', names: ['open'] })).toMatchObject(DENIED);
    // Nor can a tree be copied into a protected folder without its password.
    expect(await bob.post('/api/fs/copy', { src_dir: '/', dst_dir: '/vault', names: ['pub'] })).toMatchObject(DENIED);
    expect(readFileSync(join(root, 'vault', 'secret.txt'), 'utf8')).toBe('VAULT-SECRET');
    expect(existsSync(join(root, 'pub', 'secret.txt')) || existsSync(join(root, 'pub', 'open')) || existsSync(join(root, 'vault', 'pub'))).toBe(false);
    expect(existsSync(join(root, 'open', 'inner', 'secret.txt'))).toBe(true);
    // With the password, the same copy works.
    expect((await bob.post('/api/fs/copy', { src_dir: '/vault', dst_dir: '/drop', names: ['secret.txt'], password: 'vault-pw' })).code).toBe(200);
    expect(readFileSync(join(root, 'drop', 'secret.txt'), 'utf8')).toBe('VAULT-SECRET');
  });

  it('WebDAV COPY and MOVE of a parent cannot carry a protected child out', async () => {
    for (const method of ['COPY', 'MOVE']) {
      const r = await dav('bob', 'bob-pass', method, '/dav/open', { destination: '/dav/pub/carried', overwrite: 'T' });
      expect(r.status, method).toBe(403);
    }
    expect(existsSync(join(root, 'pub', 'carried'))).toBe(false);
    expect((await dav('bob', 'bob-pass', 'DELETE', '/dav/open')).status).toBe(403);
    expect((await dav('bob', 'bob-pass', 'GET', '/dav/vault/secret.txt')).status).toBe(403);
    expect((await dav('bob', 'bob-pass', 'PUT', '/dav/vault/new.txt', {}, 'x')).status).toBe(403);
    expect(existsSync(join(root, 'open', 'inner', 'secret.txt'))).toBe(true);
    expect(existsSync(join(root, 'vault', 'new.txt'))).toBe(false);
  });

  it('copy needs the write bit at the destination, over the API and WebDAV', async () => {
    const carol = api('carol');
    expect(await carol.post('/api/fs/copy', { src_dir: '/pub', dst_dir: '/drop', names: ['f.txt'] })).toMatchObject({ code: 403, message: 'permission denied' });
    expect((await dav('carol', 'carol-pass', 'COPY', '/dav/pub/f.txt', { destination: '/dav/drop/f.txt' })).status).toBe(403);
    expect(existsSync(join(root, 'drop', 'f.txt'))).toBe(false);
    // Bob has the bit.
    expect((await api('bob').post('/api/fs/copy', { src_dir: '/pub', dst_dir: '/drop', names: ['f.txt'] })).code).toBe(200);
  });

  it('metas of a case-insensitive storage guard every spelling, over the API, /p and WebDAV', async () => {
    const bob = api('bob');
    for (const spelling of ['/od/Secret', '/od/secret', '/od/SECRET']) {
      expect(await bob.post('/api/fs/list', { path: spelling }), spelling).toMatchObject(DENIED);
      expect(await bob.post('/api/fs/get', { path: `${spelling}/file.txt` }), spelling).toMatchObject(DENIED);
      expect((await dav('bob', 'bob-pass', 'GET', `/dav${spelling}/file.txt`)).status, spelling).toBe(403);
      expect((await dav('bob', 'bob-pass', 'PROPFIND', `/dav${spelling}/`, { depth: '1' })).status, spelling).toBe(403);
    }
    // Links need a sign for every spelling even with signing off for other files.
    await admin.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'false' }]);
    try {
      expect((await raw(server.url, 'GET', '/p/pub/f.txt')).status).toBe(200);
      for (const spelling of ['/od/Secret', '/od/secret']) {
        const r = await raw(server.url, 'GET', `/p${spelling}/file.txt`);
        expect(r.status, spelling).toBe(401);
        expect(r.body).not.toContain('OD-SECRET');
      }
    } finally {
      await admin.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'true' }]);
    }
    // With the password the folder opens.
    expect((await bob.post('/api/fs/list', { path: '/od/secret', password: 'od-pw' })).code).toBe(200);
  });

  it('PROPFIND Depth: infinity and search do not enter protected folders', async () => {
    const r = await dav('bob', 'bob-pass', 'PROPFIND', '/dav/', { depth: 'infinity' });
    expect(r.status).toBe(207);
    expect(r.body).toContain('/dav/pub/f.txt');
    expect(r.body).toContain('/dav/vault/');
    expect(r.body).not.toContain('/dav/vault/secret.txt');
    expect(r.body).not.toContain('/dav/open/inner/secret.txt');
    const found = await api('bob').post('/api/fs/search', { parent: '/', keywords: 'secret' });
    expect(found.code).toBe(200);
    const parents = (found.data.content as { parent: string; name: string }[]).map((e) => `${e.parent}/${e.name}`);
    expect(parents.some((p) => p.startsWith('/vault/') || p.startsWith('/open/inner/'))).toBe(false);
    // The password of the starting folder opens it for the search.
    const inVault = await api('bob').post('/api/fs/search', { parent: '/vault', keywords: 'secret', password: 'vault-pw' });
    expect(inVault.data.content.map((e: { name: string }) => e.name)).toContain('secret.txt');
  });

  it('search answers "search not available" when search_index is none, to guests too', async () => {
    await admin.post('/api/admin/setting/save', [{ key: 'search_index', value: 'none' }]);
    const guest = (await admin.get('/api/admin/user/list')).data.content.find((u: { username: string }) => u.username === 'guest');
    await admin.post('/api/admin/user/update', { ...guest, disabled: false, permission: 0 });
    try {
      expect(await ApiClient.for(server).post('/api/fs/search', { parent: '/', keywords: 'f' })).toMatchObject({ code: 404, message: 'search not available' });
      expect(await api('bob').post('/api/fs/search', { parent: '/', keywords: 'f' })).toMatchObject({ code: 404, message: 'search not available' });
    } finally {
      await admin.post('/api/admin/user/update', { ...guest, disabled: true });
      await admin.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database' }]);
    }
  });

  it('folder passwords cannot be guessed without limit: 10 wrong ones lock the folder for that address', async () => {
    const bobToken = api('bob').token;
    const list = (password: string, ip: string) =>
      server.app.inject({ method: 'POST', url: '/api/fs/list', remoteAddress: ip, headers: { authorization: bobToken }, payload: { path: '/vault', password } }).then((r) => r.json());
    for (let i = 0; i < 10; i++) expect(await list(`guess-${i}`, '10.7.0.1')).toMatchObject(DENIED);
    expect(await list('vault-pw', '10.7.0.1')).toMatchObject({ code: 429 });
    // Other addresses and other folders are not affected.
    expect((await list('vault-pw', '10.7.0.2')).code).toBe(200);
    const other = await server.app.inject({ method: 'POST', url: '/api/fs/list', remoteAddress: '10.7.0.1', headers: { authorization: bobToken }, payload: { path: '/open/inner', password: 'inner-pw' } });
    expect(other.json().code).toBe(200);
  });
});
