import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLease } from '../../src/cluster/lease.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';

/**
 * Two instances on one PostgreSQL database, as behind a load balancer. Polling of storage
 * configurations is off (storage_poll_ms 0), so whatever B learns from A comes by NOTIFY.
 */
describe('two instances on one PostgreSQL database', () => {
  const state: { pg?: PostgresServer; a?: TestServer; b?: TestServer; shared: string } = { shared: '' };
  const a = () => state.a as TestServer;
  const b = () => state.b as TestServer;
  const admin = { token: '' };
  const asAdmin = (s: TestServer) => new ApiClient(s.url, admin.token);

  beforeAll(async () => {
    state.pg = await startPostgres();
    const db = await state.pg.connectionString();
    state.shared = mkdtempSync(join(tmpdir(), 'filebridge-cluster-shared-'));
    writeFileSync(join(state.shared, 'hello.txt'), 'hello from the shared disk');
    const config = { db, jwt_secret: 'one-secret-for-every-instance', secret_key: randomBytes(32).toString('base64'), storage_poll_ms: 0 };
    const storages = [{ mountPath: '/shared', driver: 'Local', addition: JSON.stringify({ root_folder_path: state.shared }) }];
    state.a = await startTestServer({ config, storages });
    state.b = await startTestServer({ config });
    admin.token = await new ApiClient(a().url).login();
  });

  afterAll(async () => {
    await state.b?.stop();
    await state.a?.stop();
    await state.pg?.stop();
    if (state.shared) rmSync(state.shared, { recursive: true, force: true });
  });

  async function names(s: TestServer, path: string): Promise<string[] | string> {
    const r = await asAdmin(s).post('/api/fs/list', { path });
    if (r.code !== 200) return r.message;
    return (r.data.content as { name: string }[]).map((e) => e.name).sort();
  }

  it('serves the same mounts from both, and a login from one is good on the other', async () => {
    expect(await names(a(), '/shared')).toEqual(['hello.txt']);
    expect(await names(b(), '/shared')).toEqual(['hello.txt']);
    expect(b().mounts.list().map((m) => m.spec.mountPath)).toEqual(a().mounts.list().map((m) => m.spec.mountPath));
  });

  it('refuses on B a token revoked through A, at once', async () => {
    const created = await asAdmin(a()).post('/api/me/tokens/create', { name: 'cluster', scope: 'read' });
    expect(created.code, created.message).toBe(200);
    const viaB = new ApiClient(b().url, created.data.token as string);
    expect((await viaB.get('/api/me')).data.username).toBe('admin');
    const revoked = await asAdmin(a()).post('/api/me/tokens/revoke', { id: created.data.id });
    expect(revoked.code, revoked.message).toBe(200);
    const started = Date.now();
    const after = await viaB.get('/api/me');
    expect(after.code).toBe(401);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('applies on B a mount disabled and enabled on A within a second', async () => {
    const id = (await a().repos.storages.getByMountPath('/shared'))?.id;
    const disabledOnB = () => b().mounts.list().find((m) => m.spec.id === id)?.spec.disabled === true;
    expect((await asAdmin(a()).post(`/api/admin/storage/disable?id=${id}`)).code).toBe(200);
    await waitFor(disabledOnB, 1500, 'B to disable the mount');
    expect(await names(b(), '/shared')).not.toEqual(['hello.txt']);
    expect((await asAdmin(a()).post(`/api/admin/storage/enable?id=${id}`)).code).toBe(200);
    await waitFor(() => !disabledOnB(), 1500, 'B to enable the mount again');
    await waitFor(async () => JSON.stringify(await names(b(), '/shared')) === '["hello.txt"]', 5000, 'B to serve it again');
  });

  it('shows on B settings and path metas changed on A within a second', async () => {
    await a().settings.save([{ key: 'site_title', value: 'Changed on A' }]);
    await waitFor(() => b().settings.get('site_title') === 'Changed on A', 1000, 'B to see the new setting');
    await a().repos.metas.create({ path: '/shared', readme: 'written on A' });
    const readme = async () => (await asAdmin(b()).post('/api/fs/list', { path: '/shared' })).data.readme as string;
    await waitFor(async () => (await readme()) === 'written on A', 1000, 'B to see the new meta');
  });

  it('refuses on B a WebDAV write into a resource locked through A, and lets it once A unlocks', async () => {
    const auth = { authorization: 'Basic ' + Buffer.from('admin:admin-test-pass').toString('base64') };
    const dav = (s: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      fetch(`${s.url}/dav${path}`, { method, headers: { ...auth, ...headers }, body });
    // B reads the (empty) set of locks first, so what it knows afterwards must come from A's change.
    expect((await dav(b(), 'PUT', '/shared/before-lock.txt', {}, 'free')).status).toBe(201);
    const locked = await dav(a(), 'LOCK', '/shared/locked.txt', { timeout: 'Second-600', 'content-type': 'application/xml' },
      '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>');
    expect(locked.status).toBe(201);
    const token = (locked.headers.get('lock-token') ?? '').replace(/[<>]/g, '');
    expect(token).toMatch(/^opaquelocktoken:/);
    await waitFor(async () => (await dav(b(), 'PUT', '/shared/locked.txt', {}, 'from B')).status === 423, 1000, 'B to refuse writes into the lock');
    // 201 or 204: whether B already knows the empty file A's LOCK made depends on B's listing cache.
    expect([201, 204]).toContain((await dav(b(), 'PUT', '/shared/locked.txt', { if: `(<${token}>)` }, 'from B with the token')).status);
    expect((await dav(a(), 'UNLOCK', '/shared/locked.txt', { 'lock-token': `<${token}>` })).status).toBe(204);
    await waitFor(async () => (await dav(b(), 'PUT', '/shared/locked.txt', {}, 'from B, unlocked')).status === 204, 1000, 'B to allow writes again');
  });

  it('never has two holders of a lease among 100 acquirers on both instances', async () => {
    const counts = { holding: 0, most: 0, done: 0 };
    const contenders = Array.from({ length: 100 }, (_, i) =>
      withLease((i % 2 === 0 ? a() : b()).repos.leases, 'storage-tokens-test', { ttlMs: 10_000, waitMs: 50_000, pollMs: 10 }, async () => {
        counts.holding++;
        counts.most = Math.max(counts.most, counts.holding);
        await new Promise((r) => setTimeout(r, 2));
        counts.holding--;
        counts.done++;
      }),
    );
    await Promise.all(contenders);
    expect(counts).toEqual({ holding: 0, most: 1, done: 100 });
  });

  it('lists on B, at once, what A writes, makes, renames and removes (listing caches follow each other)', async () => {
    // B has /shared cached from the listings above, for the storage's 30 minutes.
    const onB = async (path: string) => {
      const got = await names(b(), path);
      return Array.isArray(got) ? got : [];
    };
    expect(await onB('/shared')).not.toContain('from-a.txt');
    const viaA = asAdmin(a());
    expect((await viaA.put('/shared/from-a.txt', 'written on A')).code).toBe(200);
    await waitFor(async () => (await onB('/shared')).includes('from-a.txt'), 2000, 'B to list the file A wrote');
    expect((await viaA.post('/api/fs/mkdir', { path: '/shared/made-on-a' })).code).toBe(200);
    await waitFor(async () => (await onB('/shared')).includes('made-on-a'), 2000, 'B to list the folder A made');
    // B caches the new folder as empty; A then writes into it.
    expect(await onB('/shared/made-on-a')).toEqual([]);
    expect((await viaA.put('/shared/made-on-a/inner.txt', 'x')).code).toBe(200);
    await waitFor(async () => (await onB('/shared/made-on-a')).includes('inner.txt'), 2000, 'B to list the file in the new folder');
    expect((await viaA.post('/api/fs/rename', { path: '/shared/from-a.txt', name: 'renamed-on-a.txt' })).code).toBe(200);
    await waitFor(async () => {
      const now = await onB('/shared');
      return now.includes('renamed-on-a.txt') && !now.includes('from-a.txt');
    }, 2000, 'B to list the rename');
    expect((await viaA.post('/api/fs/remove', { dir: '/shared', names: ['made-on-a', 'renamed-on-a.txt'] })).code).toBe(200);
    await waitFor(async () => {
      const now = await onB('/shared');
      return !now.includes('made-on-a') && !now.includes('renamed-on-a.txt');
    }, 2000, 'B to list the removal');
    expect(await names(b(), '/shared/made-on-a')).toEqual(expect.any(String));
  });

  it('keeps serving B when A goes away, and B still hears its own changes', async () => {
    const client = asAdmin(b());
    const results: number[] = [];
    const busy = (async () => {
      for (let i = 0; i < 40; i++) {
        results.push((await client.post('/api/fs/list', { path: '/shared' })).code);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await a().stop();
    state.a = undefined;
    await busy;
    expect(results.every((c) => c === 200)).toBe(true);
    // A write that bypasses B's API (as the CLI would make) still reaches B through its own listener.
    const id = (await b().repos.storages.getByMountPath('/shared'))?.id ?? 0;
    await b().repos.storages.setDisabled(id, true);
    await waitFor(() => b().mounts.get(id)?.spec.disabled === true, 1000, 'B to hear the change');
  });
});
