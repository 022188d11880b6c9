import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { type FaultProxy, startFaultProxy } from '../servers/fault-proxy.js';
import { type RcloneServer, startRcloneWebdav } from '../servers/rclone.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Copy tasks against a flaky WebDAV storage (rclone serve webdav behind a fault proxy): an
 * outage that answers 503 for seconds makes items wait without spending their attempts, and the
 * task completes; a storage that refuses its credentials fails the task with the cause, and a
 * retry after the credentials are fixed completes it.
 */
describe('tasks against failing storages', () => {
  let work: string;
  let rclone: RcloneServer;
  let proxy: FaultProxy;
  let server: TestServer;
  let api: ApiClient;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-task-faults-'));
    mkdirSync(join(work, 'src'));
    mkdirSync(join(work, 'dav'));
    rclone = await startRcloneWebdav(join(work, 'dav'), { user: 'u', pass: 'right-pass' });
    proxy = await startFaultProxy(rclone.port);
    server = await startTestServer({
      // Few attempts and short waits: an outage longer than all attempts together must not fail the task.
      config: { task_poll_ms: 50, task_retry_ms: 100, task_max_attempts: 3, task_workers: 2, breaker_threshold: 3, breaker_half_open_ms: 300, upstream_timeout_ms: 2000 },
      storages: [
        { mountPath: '/src', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'src') }) },
        { mountPath: '/dav', driver: 'WebDav', cacheExpiration: 0, addition: JSON.stringify({ address: proxy.origin, username: 'u', password: 'right-pass' }) },
        { mountPath: '/locked', driver: 'WebDav', addition: JSON.stringify({ address: rclone.url, username: 'u', password: 'wrong-pass' }) },
      ],
    });
    api = ApiClient.for(server);
    await api.login();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await rclone?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function state(id: string): Promise<{ state: number; error: string; progress: number }> {
    return (await api.post(`/api/task/copy/info?tid=${id}`)).data;
  }

  it('waits out a 503 outage longer than its attempts and completes', async () => {
    const files = new Map<string, string>();
    mkdirSync(join(work, 'src', 'outage'));
    for (let i = 0; i < 60; i++) {
      const b = randomBytes(40_000);
      writeFileSync(join(work, 'src', 'outage', `f${i}.bin`), b);
      files.set(`f${i}.bin`, sha(b));
    }
    const r = await api.post<{ tasks: { id: string }[] }>('/api/fs/copy', { src_dir: '/src', dst_dir: '/dav', names: ['outage'] });
    const id = (r.data.tasks[0] as { id: string }).id;
    await waitFor(async () => (await state(id)).progress >= 20, 30_000, 'some progress');
    proxy.set({ kind: 'status', status: 503 });
    // 3 s of outage: far longer than 3 attempts at 100, 200 ms apart.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await state(id)).state).toBe(TaskState.Running);
    proxy.set({ kind: 'pass' });
    await waitFor(async () => (await state(id)).state !== TaskState.Running, 60_000, 'the task to finish');
    expect(await state(id)).toMatchObject({ state: TaskState.Succeeded, error: '' });
    for (const [name, hash] of files) expect(sha(readFileSync(join(work, 'dav', 'outage', name)))).toBe(hash);
  }, 120_000);

  it('waits, without spending attempts, while its storage cannot start, and completes once it does', async () => {
    const files = new Map<string, string>();
    mkdirSync(join(work, 'src', 'restart'));
    for (let i = 0; i < 60; i++) {
      const b = randomBytes(40_000);
      writeFileSync(join(work, 'src', 'restart', `f${i}.bin`), b);
      files.set(`f${i}.bin`, sha(b));
    }
    const r = await api.post<{ tasks: { id: string }[] }>('/api/fs/copy', { src_dir: '/src', dst_dir: '/dav', names: ['restart'] });
    const id = (r.data.tasks[0] as { id: string }).id;
    await waitFor(async () => (await state(id)).progress >= 20, 30_000, 'some progress');
    // The storage is started again (as after an edit or a restart of the server) while its upstream answers 503.
    proxy.set({ kind: 'status', status: 503 });
    const stored = (await api.get<{ content: { id: number; mount_path: string }[] }>('/api/admin/storage/list')).data.content.find((s) => s.mount_path === '/dav');
    const got = (await api.get<Record<string, unknown>>(`/api/admin/storage/get?id=${stored?.id}`)).data;
    // Saved, and answered as AList answers a storage that does not start: 500 with the cause.
    expect(await api.post('/api/admin/storage/update', { ...got, remark: 'restarted' })).toMatchObject({ code: 500, message: 'failed init storage: init "/": server unavailable (503)' });
    await waitFor(() => server.mounts.list().find((m) => m.spec.mountPath === '/dav')?.status.state === 'error', 10_000, 'the storage to fail to start');
    // 3 s of a storage that cannot start: far longer than 3 attempts at 100, 200 ms apart.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await state(id)).state).toBe(TaskState.Running);
    proxy.set({ kind: 'pass' });
    await waitFor(async () => (await state(id)).state !== TaskState.Running, 60_000, 'the task to finish');
    expect(await state(id)).toMatchObject({ state: TaskState.Succeeded, error: '' });
    for (const [name, hash] of files) expect(sha(readFileSync(join(work, 'dav', 'restart', name)))).toBe(hash);
  }, 120_000);

  it('fails at once with the cause when the storage refuses its credentials; retry after fixing them completes', async () => {
    writeFileSync(join(work, 'src', 'report.pdf'), randomBytes(10_000));
    await waitFor(() => server.mounts.list().find((m) => m.spec.mountPath === '/locked')?.status.state !== 'pending', 10_000, 'the locked mount to start');
    const r = await api.post<{ tasks: { id: string }[] }>('/api/fs/copy', { src_dir: '/src', dst_dir: '/locked', names: ['report.pdf'] });
    expect(r.code).toBe(200);
    const id = (r.data.tasks[0] as { id: string }).id;
    await waitFor(async () => (await state(id)).state === TaskState.Failed, 20_000, 'the task to fail');
    expect((await state(id)).error).toMatch(/locked|401|unauthori|credential|needs_reauth/i);
    const list = (await api.get('/api/admin/storage/list')).data.content as { id: number; mount_path: string }[];
    const storage = (await api.get(`/api/admin/storage/get?id=${(list.find((s) => s.mount_path === '/locked') as { id: number }).id}`)).data;
    const addition = { ...JSON.parse(storage.addition), password: 'right-pass' };
    expect((await api.post('/api/admin/storage/update', { ...storage, addition: JSON.stringify(addition) })).code).toBe(200);
    await waitFor(() => server.mounts.list().find((m) => m.spec.mountPath === '/locked')?.status.state === 'ready', 20_000, 'the mount to recover');
    expect((await api.post(`/api/task/copy/retry?tid=${id}`)).code).toBe(200);
    await waitFor(async () => (await state(id)).state === TaskState.Succeeded, 20_000, 'the retried task to succeed');
    expect(readFileSync(join(work, 'dav', 'report.pdf')).equals(readFileSync(join(work, 'src', 'report.pdf')))).toBe(true);
  }, 90_000);
});
