/**
 * An Alias shows folders of other storages; it must not be a way around what guards them. The
 * rule (docs/drivers/alias.md, Security): a path through an alias is held to the base path and
 * the metas (folder passwords, hide, write) of every folder it stands for, as well as its own, so
 * nobody reaches through an alias what they could not reach directly. (OpenList checks metas and
 * base paths on the alias path only, so there an alias exposes what it shows.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Perm } from '../../src/auth/permissions.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { basicAuth, raw } from './http.js';

/** Every bit a team member gets, but not "access without password" nor "see hidden". */
const MEMBER = Perm.Write | Perm.Rename | Perm.Move | Perm.Copy | Perm.Remove | Perm.WebdavRead | Perm.WebdavManage;

describe('an alias is no way around passwords, hide rules and base paths', () => {
  let server: TestServer;
  let work: string;
  let admin: ApiClient;
  const clients: Record<string, ApiClient> = {};
  const api = (user: string) => clients[user] as ApiClient;
  const dav = (user: string, pass: string, method: string, path: string, headers: Record<string, string> = {}) =>
    raw(server.url, method, path, { authorization: basicAuth(user, pass), ...headers });
  const names = (r: { data: { content: { name: string }[] } }) => r.data.content.map((o) => o.name).sort();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-alias-sec-'));
    const files: Record<string, string> = {
      'data/vault/secret.txt': 'VAULT-SECRET',
      'data/pub/f.txt': 'public',
      'data/pub/hidden-plan.txt': 'HIDDEN',
      'other/top.txt': 'OUTSIDE-ALICE',
      'home/alice/docs/mine.txt': 'alice data',
    };
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(join(work, p, '..'), { recursive: true });
      writeFileSync(join(work, p), c);
    }
    const local = (mountPath: string, dir: string) => ({ mountPath, driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, dir) }) });
    const alias = (mountPath: string, paths: string) => ({ mountPath, driver: 'Alias', addition: JSON.stringify({ paths, write_conflict_policy: 'first', put_conflict_policy: 'first' }) });
    server = await startTestServer({
      storages: [
        local('/data', 'data'),
        local('/other', 'other'),
        local('/home', 'home'),
        alias('/vaultview', '/data/vault'),
        alias('/mixed', 'docs:/data/pub\nsafe:/data/vault'),
        // An alias of an alias: the folder behind both is what counts.
        alias('/deep', '/vaultview'),
        // Inside alice's base path: one alias of a storage her base path excludes, one of her own folder.
        alias('/home/alice/view', '/other'),
        alias('/home/alice/mirror', '/home/alice/docs'),
      ],
    });
    admin = ApiClient.for(server, server.settings.get('token'));
    expect((await admin.post('/api/admin/meta/create', { path: '/data/vault', password: 'vault-pw', p_sub: true })).code).toBe(200);
    expect((await admin.post('/api/admin/meta/create', { path: '/data/pub', hide: '^hidden', h_sub: true })).code).toBe(200);
    const users: [string, string][] = [['alice', '/home/alice'], ['bob', '/']];
    for (const [username, base] of users) {
      expect((await admin.post('/api/admin/user/create', { username, password: `${username}-pass`, base_path: base, permission: MEMBER })).code).toBe(200);
      clients[username] = ApiClient.for(server);
      await clients[username]?.login(username, `${username}-pass`);
    }
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  describe('a folder password on the real folder guards it through the alias', () => {
    it('listing, getting and downloading need the password, over the API', async () => {
      for (const path of ['/vaultview', '/mixed/safe', '/deep']) {
        expect((await api('bob').post('/api/fs/list', { path })).code, path).toBe(403);
        const ok = await api('bob').post('/api/fs/list', { path, password: 'vault-pw' });
        expect(ok.code, path).toBe(200);
        expect(names(ok), path).toEqual(['secret.txt']);
      }
      expect((await api('bob').post('/api/fs/get', { path: '/vaultview/secret.txt' })).code).toBe(403);
      expect((await api('bob').post('/api/fs/get', { path: '/mixed/safe/secret.txt', password: 'wrong' })).code).toBe(403);
      // The direct download of a guarded file needs a link signed for it, whichever path names it.
      for (const path of ['/d/vaultview/secret.txt', '/p/mixed/safe/secret.txt', '/d/deep/secret.txt']) {
        const r = await raw(server.url, 'GET', path, { authorization: api('bob').token });
        expect(r.status, path).not.toBe(200);
        expect(r.body).not.toContain('VAULT-SECRET');
      }
      const got = await api('bob').post('/api/fs/get', { path: '/vaultview/secret.txt', password: 'vault-pw' });
      expect(got.code).toBe(200);
      const signed = await fetch(got.data.raw_url as string);
      expect(await signed.text()).toBe('VAULT-SECRET');
    });

    it('a link signed before the real folder\'s password changes stops working', async () => {
      const got = await api('bob').post('/api/fs/get', { path: '/vaultview/secret.txt', password: 'vault-pw' });
      const link = got.data.raw_url as string;
      expect((await fetch(link)).status).toBe(200);
      const meta = (await server.repos.metas.list()).items.find((m) => m.path === '/data/vault');
      expect((await admin.post('/api/admin/meta/update', { ...meta, p_sub: true, password: 'new-pw' })).code).toBe(200);
      try {
        expect((await fetch(link)).status).not.toBe(200);
      } finally {
        expect((await admin.post('/api/admin/meta/update', { ...meta, p_sub: true, password: 'vault-pw' })).code).toBe(200);
      }
    });

    it('over WebDAV, the login password is not the folder\'s', async () => {
      expect((await dav('bob', 'bob-pass', 'GET', '/dav/vaultview/secret.txt')).status).toBe(403);
      expect((await dav('bob', 'bob-pass', 'PROPFIND', '/dav/mixed/safe/', { depth: '1' })).status).toBe(403);
      expect((await dav('bob', 'bob-pass', 'PUT', '/dav/vaultview/planted.txt')).status).toBe(403);
    });

    it('writes and removals through the alias need it too', async () => {
      expect((await api('bob').put('/vaultview/planted.txt', 'x')).code).toBe(403);
      expect((await api('bob').post('/api/fs/remove', { dir: '/vaultview', names: ['secret.txt'] })).code).toBe(403);
      // Moving the whole alias folder's content elsewhere carries the guarded tree along.
      expect((await api('bob').post('/api/fs/move', { src_dir: '/mixed', dst_dir: '/data/pub', names: ['safe'] })).code).toBe(403);
    });

    it('the unguarded name of the same alias stays open', async () => {
      const r = await api('bob').post('/api/fs/list', { path: '/mixed/docs' });
      expect(r.code).toBe(200);
      expect(names(r)).toContain('f.txt');
    });
  });

  it('hide rules of the real folder hide its names through the alias', async () => {
    expect(names(await api('bob').post('/api/fs/list', { path: '/data/pub' }))).toEqual(['f.txt']);
    expect(names(await api('bob').post('/api/fs/list', { path: '/mixed/docs' }))).toEqual(['f.txt']);
    const prop = await dav('bob', 'bob-pass', 'PROPFIND', '/dav/mixed/docs/', { depth: '1' });
    expect(prop.status).toBe(207);
    expect(prop.body).not.toContain('hidden-plan');
    // The administrator sees what is hidden, through the alias as directly.
    expect(names(await admin.post('/api/fs/list', { path: '/mixed/docs' }))).toEqual(['f.txt', 'hidden-plan.txt']);
  });

  describe('a base path is not widened by an alias mounted inside it', () => {
    it('alice cannot list or read another storage through an alias in her base path', async () => {
      // Her paths are relative to /home/alice: "/view" is the alias at /home/alice/view, showing /other.
      expect((await api('alice').post('/api/fs/list', { path: '/view' })).code).toBe(403);
      expect((await api('alice').post('/api/fs/get', { path: '/view/top.txt' })).code).toBe(403);
      expect((await api('alice').put('/view/planted.txt', 'x')).code).toBe(403);
      const r = await raw(server.url, 'GET', '/dav/view/top.txt', { authorization: basicAuth('alice', 'alice-pass') });
      expect(r.status).toBe(403);
      expect(r.body).not.toContain('OUTSIDE-ALICE');
      expect((await dav('alice', 'alice-pass', 'PROPFIND', '/dav/view/', { depth: '1' })).status).toBe(403);
    });

    it('an alias of her own folders works for her, and the alias she cannot use still shows as a name', async () => {
      const home = await api('alice').post('/api/fs/list', { path: '/' });
      expect(home.code).toBe(200);
      expect(names(home)).toEqual(['docs', 'mirror', 'view']);
      const mirror = await api('alice').post('/api/fs/list', { path: '/mirror' });
      expect(mirror.code).toBe(200);
      expect(names(mirror)).toEqual(['mine.txt']);
      expect((await dav('alice', 'alice-pass', 'GET', '/dav/mirror/mine.txt')).body).toBe('alice data');
    });

    it('a user whose base path covers the storage reaches it through the alias', async () => {
      const r = await api('bob').post('/api/fs/list', { path: '/home/alice/view' });
      expect(r.code).toBe(200);
      expect(names(r)).toEqual(['top.txt']);
    });
  });
});
