import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Perm } from '../../src/auth/permissions.js';
import type { TaskInfo } from '../../src/server/api/tasks.js';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { type RcloneServer, startRcloneWebdav } from '../servers/rclone.js';
import { finished, tree } from './helpers.js';
import { SourceServer, sha256 } from './source-server.js';

/**
 * SimpleHttp offline downloads against a local source server (plain, chunked, with and without
 * Range, dropping mid-way) into the default Local storage and a WebDAV storage (rclone serve
 * webdav): every download is a task, then a transfer task; files are checked by SHA-256.
 */
describe('offline download: SimpleHttp', () => {
  let server: TestServer;
  let source: SourceServer;
  let rclone: RcloneServer;
  let work: string;
  let admin: ApiClient;
  let files: string;
  const hashes = new Map<string, string>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-offline-'));
    source = await new SourceServer().start();
    for (const [name, size] of [['a.bin', 300_000], ['b.bin', 1_000_000], ['c.bin', 200_000], ['d.bin', 500_000], ['e.bin', 400_000], ['f.bin', 250_000], ['g.bin', 123_456]] as const) {
      hashes.set(name, source.add(name, size));
    }
    mkdirSync(join(work, 'dav'));
    rclone = await startRcloneWebdav(join(work, 'dav'));
    // No storages given: the server mounts its default Local storage at / over <data>/files.
    server = await startTestServer({ config: { task_poll_ms: 50, task_retry_ms: 100, task_max_attempts: 3, task_lease_ms: 3000 } });
    files = join(server.dataDir, 'files');
    admin = ApiClient.for(server);
    await admin.login();
    const dav = await admin.post('/api/admin/storage/create', { mount_path: '/dav', driver: 'WebDav', addition: JSON.stringify({ address: rclone.url }) });
    expect(dav.code).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await source?.close();
    await rclone?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const allowLoopback = (on: boolean) => admin.post('/api/admin/setting/save', [{ key: 'offline_download_allow_private', value: on ? 'true' : 'false' }]);

  async function download(url: string, path: string, extra: Record<string, unknown> = {}) {
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/add_offline_download', { urls: [url], path, tool: 'SimpleHttp', delete_policy: 'delete_on_upload_succeed', ...extra });
    expect(r.code, r.message).toBe(200);
    expect(r.data.tasks).toHaveLength(1);
    return r.data.tasks[0] as TaskInfo;
  }

  it('by default refuses a URL to 127.0.0.1, saying why and which setting allows it', async () => {
    await allowLoopback(false);
    const r = await admin.post('/api/fs/add_offline_download', { urls: [`${source.url}/plain/a.bin`], path: '/dl', tool: 'SimpleHttp', delete_policy: 'delete_never' });
    expect(r.code).toBe(403);
    expect(r.message).toMatch(/127\.0\.0\.1, a loopback address/);
    expect(r.message).toContain('offline_download_allow_private');
    const mapped = await admin.post('/api/fs/add_offline_download', { urls: [`http://[::ffff:127.0.0.1]:1/x`], path: '/dl', tool: 'SimpleHttp' });
    expect(mapped.code).toBe(403);
    expect(mapped.message).toMatch(/loopback/);
    const scheme = await admin.post('/api/fs/add_offline_download', { urls: ['file:///etc/passwd'], path: '/dl', tool: 'SimpleHttp' });
    expect(scheme.code).toBe(403);
    expect(scheme.message).toMatch(/scheme file is not allowed/);
    expect((await admin.get('/api/task/offline_download/undone')).data).toEqual([]);
    expect(existsSync(join(files, 'dl'))).toBe(false);
  });

  it('lists SimpleHttp among the tools when nothing else is configured', async () => {
    const r = await new ApiClient(server.url).get('/api/public/offline_download_tools');
    expect(r.data).toEqual(['SimpleHttp']);
  });

  it('only users with the offline-download bit and write permission at the target may add', async () => {
    await allowLoopback(true);
    const users: [string, number][] = [['nobit', Perm.Write], ['nowrite', Perm.OfflineDownload], ['both', Perm.Write | Perm.OfflineDownload]];
    for (const [name, permission] of users) {
      expect((await admin.post('/api/admin/user/create', { username: name, password: `${name}-pass-1234`, base_path: '/', permission })).code).toBe(200);
    }
    const as = async (name: string) => {
      const c = ApiClient.for(server);
      await c.login(name, `${name}-pass-1234`);
      return c.post('/api/fs/add_offline_download', { urls: [`${source.url}/plain/g.bin`], path: '/users', tool: 'SimpleHttp' });
    };
    expect((await as('nobit')).code).toBe(403);
    expect((await as('nowrite')).code).toBe(403);
    const ok = await as('both');
    expect(ok.code).toBe(200);
    const mine = ApiClient.for(server);
    await mine.login('both', 'both-pass-1234');
    const t = ok.data.tasks[0] as TaskInfo;
    expect(await finished(mine, 'offline_download', t.id)).toMatchObject({ state: TaskState.Succeeded });
    expect(await finished(mine, 'offline_download_transfer', `${t.id}-t`)).toMatchObject({ state: TaskState.Succeeded });
    expect(sha256(readFileSync(join(files, 'users', 'g.bin')))).toBe(hashes.get('g.bin'));
  });

  it('downloads a file with Range support into the staging folder, then transfers it; the staging folder goes (delete_on_upload_succeed)', async () => {
    await allowLoopback(true);
    const t = await download(`${source.url}/plain/a.bin`, '/dl');
    expect(t.name).toBe(`download ${source.url}/plain/a.bin to (/dl)`);
    const done = await finished(admin, 'offline_download', t.id);
    expect(done).toMatchObject({ state: TaskState.Succeeded, progress: 100, total_bytes: 300_000, error: '' });
    const tr = await finished(admin, 'offline_download_transfer', `${t.id}-t`);
    expect(tr).toMatchObject({ state: TaskState.Succeeded, progress: 100, total_bytes: 300_000 });
    expect(tr.name).toBe(`transfer [](offline/${t.id}) to [/](/dl)`);
    expect(sha256(readFileSync(join(files, 'dl', 'a.bin')))).toBe(hashes.get('a.bin'));
    // The staged files go once the transfer ended (just after it is marked so).
    await waitFor(() => !existsSync(join(server.dataDir, 'temp', 'offline', t.id)), 10_000, 'the staging folder to go');
    const doneList = (await admin.get<TaskInfo[]>('/api/task/offline_download_transfer/done')).data.map((x) => x.id);
    expect(doneList).toContain(`${t.id}-t`);
  });

  it('downloads a chunked answer of unknown size', async () => {
    const t = await download(`${source.url}/chunked/c.bin`, '/dl/chunked');
    expect(await finished(admin, 'offline_download', t.id)).toMatchObject({ state: TaskState.Succeeded });
    expect(await finished(admin, 'offline_download_transfer', `${t.id}-t`)).toMatchObject({ state: TaskState.Succeeded });
    expect(sha256(readFileSync(join(files, 'dl', 'chunked', 'c.bin')))).toBe(hashes.get('c.bin'));
  });

  it('streams a sized answer without Range support straight to the target (no transfer task)', async () => {
    const t = await download(`${source.url}/norange/d.bin`, '/dl/direct');
    expect(await finished(admin, 'offline_download', t.id)).toMatchObject({ state: TaskState.Succeeded, total_bytes: 500_000 });
    expect((await admin.post(`/api/task/offline_download_transfer/info?tid=${t.id}-t`)).code).toBe(404);
    expect(sha256(readFileSync(join(files, 'dl', 'direct', 'd.bin')))).toBe(hashes.get('d.bin'));
  });

  it('resumes with Range after the source drops the connection half-way', async () => {
    source.dropFirst('b.bin', 1);
    const t = await download(`${source.url}/drop/b.bin`, '/dl/resumed');
    expect(await finished(admin, 'offline_download', t.id)).toMatchObject({ state: TaskState.Succeeded });
    expect(await finished(admin, 'offline_download_transfer', `${t.id}-t`)).toMatchObject({ state: TaskState.Succeeded });
    expect(source.rangeRequests('b.bin')).toBeGreaterThanOrEqual(1);
    expect(sha256(readFileSync(join(files, 'dl', 'resumed', 'b.bin')))).toBe(hashes.get('b.bin'));
  });

  it('a download that keeps failing with delete_on_upload_failed leaves the target folder exactly as it was', async () => {
    const target = join(files, 'keep');
    mkdirSync(join(target, 'sub'), { recursive: true });
    writeFileSync(join(target, 'e.bin'), 'an older e.bin the task must not touch');
    writeFileSync(join(target, 'sub', 'x.txt'), 'x');
    const before = tree(target);
    const staged = await download(`${source.url}/dropall/e.bin`, '/keep', { delete_policy: 'delete_on_upload_failed' });
    const info = await finished(admin, 'offline_download', staged.id);
    expect(info.state).toBe(TaskState.Failed);
    expect(info.error).toMatch(/broke off/);
    expect(tree(target)).toEqual(before);
    expect(existsSync(join(server.dataDir, 'temp', 'offline', staged.id))).toBe(false);
    // Staged (the source resumes, but keeps breaking off): the partial file goes with the policy, the target stays as it was.
    source.dropFirst('e.bin', 100);
    const partial = await download(`${source.url}/drop/e.bin`, '/keep', { delete_policy: 'delete_on_upload_failed' });
    expect(await finished(admin, 'offline_download', partial.id)).toMatchObject({ state: TaskState.Failed, error: expect.stringMatching(/broke off/) });
    await waitFor(() => !existsSync(join(server.dataDir, 'temp', 'offline', partial.id)), 10_000, 'the staged part to go');
    expect(tree(target)).toEqual(before);
    // With delete_never the partial download stays in the staging folder.
    const kept = await download(`${source.url}/drop/e.bin`, '/keep', { delete_policy: 'delete_never' });
    expect(await finished(admin, 'offline_download', kept.id)).toMatchObject({ state: TaskState.Failed });
    expect(readdirSync(join(server.dataDir, 'temp', 'offline', kept.id))).toEqual(['e.bin']);
    expect(tree(target)).toEqual(before);
    // A source that answers 404 fails at once, and the target is still as it was.
    const missing = await download(`${source.url}/plain/none.bin`, '/keep', { delete_policy: 'delete_on_upload_failed' });
    expect(await finished(admin, 'offline_download', missing.id)).toMatchObject({ state: TaskState.Failed, error: expect.stringMatching(/HTTP 404/) });
    expect(tree(target)).toEqual(before);
  });

  it('refuses a download that would not fit in the staging folder, before writing a byte', async () => {
    const t = await download(`${source.url}/huge/big.iso`, '/dl/huge', { delete_policy: 'delete_never' });
    const info = await finished(admin, 'offline_download', t.id);
    expect(info).toMatchObject({ state: TaskState.Failed, error: expect.stringMatching(/not enough free space in the staging folder for big\.iso/) });
    expect(existsSync(join(server.dataDir, 'temp', 'offline', t.id, 'big.iso'))).toBe(false);
    expect(existsSync(join(files, 'dl', 'huge'))).toBe(false);
  });

  it('keeps the password of a URL out of the task name', async () => {
    const url = `${source.url.replace('http://', 'http://user:hunter2@')}/plain/g.bin`;
    const t = await download(url, '/dl/cred');
    expect(t.name).toBe(`download ${source.url.replace('http://', 'http://user:***@')}/plain/g.bin to (/dl/cred)`);
    expect(await finished(admin, 'offline_download', t.id)).toMatchObject({ state: TaskState.Succeeded });
  });

  it('refuses a redirect to an address the rule refuses, and follows one it allows', async () => {
    await allowLoopback(false);
    // Loopback sources need the setting; with it off, even the first hop is refused.
    source.redirect('r1', `${source.url}/plain/f.bin`);
    expect((await admin.post('/api/fs/add_offline_download', { urls: [`${source.url}/redirect/r1`], path: '/dl/r', tool: 'SimpleHttp' })).code).toBe(403);
    await allowLoopback(true);
    const t = await download(`${source.url}/redirect/r1`, '/dl/r');
    expect(await finished(admin, 'offline_download', t.id)).toMatchObject({ state: TaskState.Succeeded });
    expect(await finished(admin, 'offline_download_transfer', `${t.id}-t`)).toMatchObject({ state: TaskState.Succeeded });
    expect(sha256(readFileSync(join(files, 'dl', 'r', 'f.bin')))).toBe(hashes.get('f.bin'));
    source.redirect('r2', 'file:///etc/passwd');
    const bad = await download(`${source.url}/redirect/r2`, '/dl/r2', { delete_policy: 'delete_always' });
    expect(await finished(admin, 'offline_download', bad.id)).toMatchObject({ state: TaskState.Failed, error: expect.stringMatching(/redirect to file is not followed/) });
  });

  it('downloads into a WebDAV storage, staged and direct', async () => {
    await allowLoopback(true);
    const staged = await download(`${source.url}/plain/a.bin`, '/dav/in');
    expect(await finished(admin, 'offline_download', staged.id)).toMatchObject({ state: TaskState.Succeeded });
    expect(await finished(admin, 'offline_download_transfer', `${staged.id}-t`)).toMatchObject({ state: TaskState.Succeeded });
    const direct = await download(`${source.url}/norange/d.bin`, '/dav/in');
    expect(await finished(admin, 'offline_download', direct.id)).toMatchObject({ state: TaskState.Succeeded });
    expect(sha256(readFileSync(join(work, 'dav', 'in', 'a.bin')))).toBe(hashes.get('a.bin'));
    expect(sha256(readFileSync(join(work, 'dav', 'in', 'd.bin')))).toBe(hashes.get('d.bin'));
    expect(tree(join(work, 'dav', 'in'))).toEqual(new Map([['a.bin', hashes.get('a.bin')], ['d.bin', hashes.get('d.bin')]]));
  });
});
