import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../src/server/api/tasks.js';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { Aria2Daemon } from './aria2-daemon.js';
import { finished } from './helpers.js';
import { SourceServer, sha256 } from './source-server.js';

/**
 * aria2 as the offline download tool: a real `aria2c --enable-rpc` with a secret, started and
 * stopped by the test, downloading from a local source into the staging folder (seen by aria2
 * through a path mapping), then transferred into the default Local storage.
 */
describe('offline download: aria2', () => {
  let server: TestServer;
  let source: SourceServer;
  let aria2: Aria2Daemon;
  let work: string;
  let admin: ApiClient;
  let files: string;
  const hashes = new Map<string, string>();

  beforeAll(async () => {
    Aria2Daemon.assertInstalled();
    work = mkdtempSync(join(tmpdir(), 'filebridge-aria2-'));
    source = await new SourceServer().start();
    hashes.set('a.bin', source.add('a.bin', 700_000));
    hashes.set('big.bin', source.add('big.bin', 3_000_000));
    aria2 = new Aria2Daemon('s3cret-aria2', join(work, 'aria2-default'));
    await aria2.start();
    server = await startTestServer({ config: { task_poll_ms: 50, task_retry_ms: 200, task_lease_ms: 3000 } });
    files = join(server.dataDir, 'files');
    admin = ApiClient.for(server);
    await admin.login();
    // aria2 sees the staging folder under another path (as in another container sharing a volume).
    mkdirSync(join(server.dataDir, 'temp', 'offline'), { recursive: true });
    symlinkSync(join(server.dataDir, 'temp', 'offline'), join(work, 'aria2-view'));
    expect(
      (
        await admin.post('/api/admin/setting/save', [
          { key: 'offline_download_allow_private', value: 'true' },
          { key: 'aria2_temp_dir', value: join(work, 'aria2-view') },
        ])
      ).code,
    ).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await aria2?.stop();
    await source?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('set_aria2 saves the settings and answers with the version; a wrong secret is refused by name', async () => {
    const wrong = await admin.post('/api/admin/setting/set_aria2', { uri: aria2.uri, secret: 'wrong' });
    expect(wrong.code).toBe(500);
    expect(wrong.message).toMatch(/aria2 refused the secret/);
    const right = await admin.post('/api/admin/setting/set_aria2', { uri: aria2.uri, secret: aria2.secret });
    expect(right).toMatchObject({ code: 200, data: expect.stringMatching(/^aria2 version: \d+\.\d+/) });
    expect((await admin.post('/api/admin/offline_download/test', { tool: 'aria2' })).data).toMatchObject({ tool: 'aria2', version: expect.stringMatching(/^aria2 version/) });
    expect((await new ApiClient(server.url).get('/api/public/offline_download_tools')).data).toEqual(['SimpleHttp', 'aria2']);
  });

  it('downloads through aria2, then transfers the file; the staging folder goes', async () => {
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/add_offline_download', { urls: [`${source.url}/plain/a.bin`], path: '/aria', tool: 'aria2', delete_policy: 'delete_on_upload_succeed' });
    expect(r.code, r.message).toBe(200);
    const id = (r.data.tasks[0] as TaskInfo).id;
    expect(await finished(admin, 'offline_download', id)).toMatchObject({ state: TaskState.Succeeded, total_bytes: 700_000 });
    expect(await finished(admin, 'offline_download_transfer', `${id}-t`)).toMatchObject({ state: TaskState.Succeeded });
    expect(sha256(readFileSync(join(files, 'aria', 'a.bin')))).toBe(hashes.get('a.bin'));
    // The staged files go once the transfer ended (just after it is marked so).
    await waitFor(() => !existsSync(join(server.dataDir, 'temp', 'offline', id)), 10_000, 'the staging folder to go');
    // Nothing landed in aria2's own default folder: the mapped folder was used.
    expect(existsSync(join(work, 'aria2-default', 'a.bin'))).toBe(false);
  });

  it('a task that is running waits while aria2 is down and completes once it is back', async () => {
    source.slowMs = 120;
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/add_offline_download', { urls: [`${source.url}/slow/big.bin`], path: '/aria/slow', tool: 'aria2', delete_policy: 'delete_on_upload_succeed' });
    expect(r.code, r.message).toBe(200);
    const id = (r.data.tasks[0] as TaskInfo).id;
    await waitFor(async () => ((await admin.post<TaskInfo>(`/api/task/offline_download/info?tid=${id}`)).data.progress ?? 0) > 5, 60_000, 'the download to start');
    await aria2.stop();
    let info: TaskInfo | undefined;
    await waitFor(
      async () => {
        info = (await admin.post<TaskInfo>(`/api/task/offline_download/info?tid=${id}`)).data;
        return /waiting for aria2/.test(info.status);
      },
      30_000,
      'the task to say it waits for aria2',
    );
    expect(info).toMatchObject({ state: TaskState.Running, error: '' });
    expect(info?.status).toMatch(/aria2 is not reachable at http:\/\/127\.0\.0\.1:\d+\/jsonrpc/);
    // While aria2 is down, a new task fails at once, naming the tool and the cause.
    const refused = await admin.post('/api/fs/add_offline_download', { urls: [`${source.url}/plain/a.bin`], path: '/aria/new', tool: 'aria2' });
    expect(refused.code).toBe(503);
    expect(refused.message).toMatch(/offline download tool aria2 is not available: aria2 is not reachable at .*ECONNREFUSED/);
    source.slowMs = 10;
    await aria2.start();
    expect(await finished(admin, 'offline_download', id, 120_000)).toMatchObject({ state: TaskState.Succeeded, error: '' });
    expect(await finished(admin, 'offline_download_transfer', `${id}-t`)).toMatchObject({ state: TaskState.Succeeded });
    expect(sha256(readFileSync(join(files, 'aria', 'slow', 'big.bin')))).toBe(hashes.get('big.bin'));
    expect(existsSync(join(files, 'aria', 'new'))).toBe(false);
  }, 180_000);
});
