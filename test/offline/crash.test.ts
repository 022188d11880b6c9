import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../src/server/api/tasks.js';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { testConfig, waitFor } from '../helpers/server.js';
import { openDatabase } from '../../src/main.js';
import { type FaultProxy, startFaultProxy } from '../servers/fault-proxy.js';
import { type RcloneServer, startRcloneWebdav } from '../servers/rclone.js';
import { kill, startChild } from '../reliability/task-child.js';
import { Aria2Daemon } from './aria2-daemon.js';
import { finished, tree } from './helpers.js';
import { SourceServer, sha256 } from './source-server.js';

/**
 * kill -9 of the server during the download phase, then a start over the same data folder: the
 * download resumes (SimpleHttp with Range from where the staged file stopped; aria2 kept going and
 * is found again by its GID), the transfer follows, and every file arrives once.
 */
describe('offline download survives kill -9 of the server', () => {
  let work: string;
  let source: SourceServer;
  let aria2: Aria2Daemon;
  let current: ChildProcess | undefined;
  let rclone: RcloneServer;
  let proxy: FaultProxy;
  const hashes = new Map<string, string>();

  beforeAll(async () => {
    Aria2Daemon.assertInstalled();
    work = mkdtempSync(join(tmpdir(), 'filebridge-offline-crash-'));
    source = await new SourceServer().start();
    source.slowMs = 60;
    hashes.set('big.bin', source.add('big.bin', 4_000_000));
    hashes.set('big2.bin', source.add('big2.bin', 4_000_000));
    hashes.set('big3.bin', source.add('big3.bin', 2_000_000));
    mkdirSync(join(work, 'dav'));
    rclone = await startRcloneWebdav(join(work, 'dav'));
    proxy = await startFaultProxy(rclone.port);
    aria2 = new Aria2Daemon('crash-secret', join(work, 'aria2'));
    await aria2.start();
  }, 60_000);

  afterAll(async () => {
    if (current) await kill(current);
    await aria2?.stop();
    await proxy?.close();
    await rclone?.close();
    await source?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function start(data: string): Promise<ApiClient> {
    const started = await startChild(data);
    current = started.child;
    const api = new ApiClient(started.url);
    await api.login();
    return api;
  }

  async function killAndRestart(data: string): Promise<ApiClient> {
    await kill(current as ChildProcess);
    return start(data);
  }

  async function crashDuring(data: string, tool: string, name: string, path: string): Promise<{ api: ApiClient; id: string }> {
    let api = await start(data);
    const settings = [{ key: 'offline_download_allow_private', value: 'true' }];
    if (tool === 'aria2') settings.push({ key: 'aria2_uri', value: aria2.uri }, { key: 'aria2_secret', value: aria2.secret });
    expect((await api.post('/api/admin/setting/save', settings)).code).toBe(200);
    const r = await api.post<{ tasks: TaskInfo[] }>('/api/fs/add_offline_download', { urls: [`${source.url}/slow/${name}`], path, tool, delete_policy: 'delete_on_upload_succeed' });
    expect(r.code, r.message).toBe(200);
    const id = (r.data.tasks[0] as TaskInfo).id;
    await waitFor(async () => ((await api.post<TaskInfo>(`/api/task/offline_download/info?tid=${id}`)).data.progress ?? 0) >= 30, 60_000, '30% of the download');
    api = await killAndRestart(data);
    return { api, id };
  }

  async function onlyOnce(api: ApiClient, data: string, id: string, dir: string, name: string): Promise<void> {
    expect(await finished(api, 'offline_download', id, 120_000)).toMatchObject({ state: TaskState.Succeeded, error: '' });
    expect(await finished(api, 'offline_download_transfer', `${id}-t`, 60_000)).toMatchObject({ state: TaskState.Succeeded, error: '' });
    expect(readdirSync(join(data, 'files', dir))).toEqual([name]);
    expect(sha256(readFileSync(join(data, 'files', dir, name)))).toBe(hashes.get(name));
    const downloads = [...(await api.get<TaskInfo[]>('/api/task/offline_download/done')).data, ...(await api.get<TaskInfo[]>('/api/task/offline_download/undone')).data];
    const transfers = [...(await api.get<TaskInfo[]>('/api/task/offline_download_transfer/done')).data, ...(await api.get<TaskInfo[]>('/api/task/offline_download_transfer/undone')).data];
    expect(downloads.map((t) => t.id)).toEqual([id]);
    expect(transfers.map((t) => t.id)).toEqual([`${id}-t`]);
  }

  it('SimpleHttp: resumes with Range after the restart, one file, one transfer', async () => {
    const data = join(work, 'data-http');
    const { api, id } = await crashDuring(data, 'SimpleHttp', 'big.bin', '/crash');
    await onlyOnce(api, data, id, 'crash', 'big.bin');
    // The restarted server asked for the rest, not for the whole file again.
    expect(source.rangeRequests('big.bin')).toBeGreaterThanOrEqual(1);
    expect(source.requests.filter((r) => r.path.endsWith('/big.bin') && !r.range)).toHaveLength(1);
    await kill(current as ChildProcess);
    current = undefined;
  }, 240_000);

  it('aria2: the download found again by its GID after the restart, one file, one transfer', async () => {
    const data = join(work, 'data-aria2');
    const { api, id } = await crashDuring(data, 'aria2', 'big2.bin', '/crash2');
    await onlyOnce(api, data, id, 'crash2', 'big2.bin');
    // aria2 was never asked twice: it fetched the file with one request from its first byte.
    expect(source.requests.filter((r) => r.path.endsWith('/big2.bin') && !r.range)).toHaveLength(1);
    await kill(current as ChildProcess);
    current = undefined;
  }, 240_000);

  it('during the transfer phase: the transfer resumes after the restart and the file arrives once', async () => {
    const data = join(work, 'data-transfer');
    const { database, repos } = await openDatabase(testConfig(data));
    await repos.storages.create({ mountPath: '/dav', driver: 'WebDav', addition: JSON.stringify({ address: proxy.origin }) });
    await database.close();
    let api = await start(data);
    expect((await api.post('/api/admin/setting/save', [{ key: 'offline_download_allow_private', value: 'true' }])).code).toBe(200);
    const r = await api.post<{ tasks: TaskInfo[] }>('/api/fs/add_offline_download', { urls: [`${source.url}/slow/big3.bin`], path: '/dav/in', tool: 'SimpleHttp', delete_policy: 'delete_on_upload_succeed' });
    expect(r.code, r.message).toBe(200);
    const id = (r.data.tasks[0] as TaskInfo).id;
    // The WebDAV storage stops answering: the transfer starts and hangs in its upload.
    proxy.set({ kind: 'stall' });
    expect(await finished(api, 'offline_download', id, 60_000)).toMatchObject({ state: TaskState.Succeeded });
    await waitFor(async () => (await api.post<TaskInfo>(`/api/task/offline_download_transfer/info?tid=${id}-t`)).data?.state === TaskState.Running, 30_000, 'the transfer to run');
    await kill(current as ChildProcess);
    proxy.set({ kind: 'pass' });
    api = await start(data);
    expect(await finished(api, 'offline_download_transfer', `${id}-t`, 120_000)).toMatchObject({ state: TaskState.Succeeded, error: '' });
    expect(tree(join(work, 'dav', 'in'))).toEqual(new Map([['big3.bin', hashes.get('big3.bin')]]));
    const transfers = (await api.get<TaskInfo[]>('/api/task/offline_download_transfer/done')).data;
    expect(transfers.map((t) => t.id)).toEqual([`${id}-t`]);
    await kill(current as ChildProcess);
    current = undefined;
  }, 240_000);
});
