import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { type FaultProxy, startFaultProxy } from '../servers/fault-proxy.js';
import { type RcloneServer, startRcloneWebdav } from '../servers/rclone.js';
import { type S3TestServer, startS3Server } from '../servers/s3.js';

interface Health {
  mount_path: string;
  state: string;
  error: string | null;
}

describe('graceful degradation through a fault proxy', () => {
  let work: string;
  let rclone: RcloneServer;
  let s3: S3TestServer;
  let davProxy: FaultProxy;
  let s3Proxy: FaultProxy;
  let server: TestServer;
  let api: ApiClient;
  const healthy = { ok: 0, failed: [] as string[] };
  let stopLoad = false;
  let load: Promise<void>;

  const mounts = async (): Promise<Record<string, Health>> => {
    // Mount details are for administrators (the admin token here).
    const body = (await (await fetch(`${server.url}/readyz`, { headers: { authorization: server.settings.get('token') } })).json()) as { mounts: Health[] };
    return Object.fromEntries(body.mounts.map((m) => [m.mount_path, m]));
  };
  const names = (r: { data: { content: { name: string }[] } }) => r.data.content.map((o) => o.name);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-degrade-'));
    for (const d of ['up', 'local']) mkdirSync(join(work, d));
    for (const n of ['a.txt', 'b.txt']) writeFileSync(join(work, 'up', n), n);
    writeFileSync(join(work, 'local', 'always.txt'), 'here');
    rclone = await startRcloneWebdav(join(work, 'up'));
    s3 = await startS3Server('degrade');
    davProxy = await startFaultProxy(rclone.port);
    s3Proxy = await startFaultProxy(s3.port);
    server = await startTestServer({
      config: { upstream_timeout_ms: 1500, breaker_threshold: 3, breaker_half_open_ms: 1000 },
      storages: [
        { mountPath: '/wd', driver: 'WebDav', cacheExpiration: 0, addition: JSON.stringify({ address: davProxy.origin }) },
        { mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'local') }) },
        {
          mountPath: '/s3', driver: 'S3', cacheExpiration: 0,
          addition: JSON.stringify({ bucket: s3.bucket, endpoint: s3Proxy.origin, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, force_path_style: true, list_object_version: 'v1' }),
        },
      ],
    });
    api = ApiClient.for(server);
    await api.login();
    await api.put('/s3/video.bin', 'linked content');
    await api.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'false' }]);
    // Requests to a healthy mount run all along; none may fail.
    load = (async () => {
      while (!stopLoad) {
        const r = await api.post('/api/fs/list', { path: '/local' }).catch((err: Error) => ({ code: 0, message: err.message }));
        if (r.code === 200) healthy.ok++;
        else healthy.failed.push(r.message);
        await new Promise((res) => setTimeout(res, 25));
      }
    })();
  }, 60_000);

  afterAll(async () => {
    stopLoad = true;
    await load;
    await server?.stop();
    await Promise.all([davProxy?.close(), s3Proxy?.close(), rclone?.close(), s3?.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('lists fresh while the upstream is well', async () => {
    const r = await api.post('/api/fs/list', { path: '/wd' });
    expect(names(r)).toEqual(['a.txt', 'b.txt']);
    expect(r.data.stale).toBeUndefined();
    const d = await fetch(`${server.url}/d/s3/video.bin`, { redirect: 'manual' });
    expect(d.status).toBe(302);
  });

  it('serves the last good listing, marked stale, when the upstream answers 504', async () => {
    davProxy.set({ kind: 'status', status: 504 });
    const res = await fetch(`${server.url}/api/fs/list`, { method: 'POST', headers: { authorization: api.token, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/wd' }) });
    expect(res.headers.get('x-filebridge-stale')).toMatch(/^\d{4}-/);
    const body = (await res.json()) as { code: number; data: { content: { name: string }[]; stale: boolean; stale_reason: string } };
    expect(body.code).toBe(200);
    expect(names(body)).toEqual(['a.txt', 'b.txt']);
    expect(body.data.stale).toBe(true);
    // The UI's banner says why: the storage's last error.
    expect(body.data.stale_reason).toMatch(/504/);
    expect((await mounts())['/wd']?.state).toBe('degraded');
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('serves stale within the deadline when the upstream stalls, and refuses writes instead of hanging', async () => {
    davProxy.set({ kind: 'stall' });
    const r = await api.post('/api/fs/list', { path: '/wd' });
    expect(r.code).toBe(200);
    expect(r.data.stale).toBe(true);
    const put = await api.put('/wd/new.txt', 'x');
    expect([502, 503]).toContain(put.code);
    const dav = await fetch(`${server.url}/dav/wd/`, { method: 'PROPFIND', headers: { authorization: `Basic ${Buffer.from('admin:admin-test-pass').toString('base64')}`, depth: '1' } });
    expect(dav.status).toBe(207);
    expect(dav.headers.get('x-filebridge-stale')).toBeTruthy();
  });

  it('keeps handing out a cached direct link while the link endpoint fails', async () => {
    const first = await fetch(`${server.url}/d/s3/video.bin`, { redirect: 'manual' });
    s3Proxy.set({ kind: 'status', status: 500 });
    const again = await fetch(`${server.url}/d/s3/video.bin`, { redirect: 'manual' });
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    s3Proxy.set({ kind: 'pass' });
  });

  it('recovers by itself when the upstream comes back, without a restart', async () => {
    davProxy.set({ kind: 'pass' });
    await waitFor(async () => {
      const r = await api.post('/api/fs/list', { path: '/wd' });
      return r.code === 200 && r.data.stale === undefined;
    }, 20_000, 'fresh listings again');
    await waitFor(async () => (await mounts())['/wd']?.state === 'ready', 70_000, 'mount ready again');
    expect((await api.put('/wd/new.txt', 'x')).code).toBe(200);
  }, 90_000);

  it('kept every other mount answering throughout', () => {
    expect(healthy.failed).toEqual([]);
    expect(healthy.ok).toBeGreaterThan(10);
  });
});
