import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../src/server/api/tasks.js';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { finished } from './helpers.js';
import { SourceServer } from './source-server.js';
import { TransmissionDaemon } from './transmission-daemon.js';

/** A magnet that names no tracker: with DHT and peer discovery off, it never finds a peer. */
const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=nothing-here';

/**
 * Transmission as the tool, over its RPC with the X-Transmission-Session-Id handshake, against a
 * real transmission-daemon. No torrent is seeded here (that needs a second client and a tracker):
 * these tests show the RPC wiring, a torrent's status in the task, cancel removing it from
 * Transmission, and Transmission's own refusal of a file that is not a torrent.
 */
describe('offline download: Transmission', () => {
  let server: TestServer;
  let daemon: TransmissionDaemon;
  let source: SourceServer;
  let work: string;
  let admin: ApiClient;

  beforeAll(async () => {
    TransmissionDaemon.assertInstalled();
    work = mkdtempSync(join(tmpdir(), 'filebridge-transmission-'));
    daemon = new TransmissionDaemon(work);
    await daemon.start();
    source = await new SourceServer().start();
    source.add('not-a.torrent', 1000);
    server = await startTestServer({ config: { task_poll_ms: 50, task_retry_ms: 100, task_lease_ms: 1500 } });
    admin = ApiClient.for(server);
    await admin.login();
    await admin.post('/api/admin/setting/save', [{ key: 'offline_download_allow_private', value: 'true' }]);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await daemon?.stop();
    await source?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('set_transmission saves the endpoint after the session-id handshake; the tool is then offered', async () => {
    const bad = await admin.post('/api/admin/setting/set_transmission', { uri: 'http://127.0.0.1:1/transmission/rpc', seedtime: '0' });
    expect(bad.code).toBe(500);
    expect(bad.message).toMatch(/Transmission is not reachable at http:\/\/127\.0\.0\.1:1\/transmission\/rpc/);
    expect((await admin.post('/api/admin/setting/set_transmission', { uri: daemon.uri, seedtime: '0' })).data).toBe('ok');
    expect((await admin.post('/api/admin/offline_download/test', { tool: 'Transmission' })).data.version).toMatch(/^Transmission version: 3\./);
    expect((await new ApiClient(server.url).get('/api/public/offline_download_tools')).data).toEqual(['SimpleHttp', 'Transmission']);
  });

  it('a magnet shows Transmission’s status in its task, and cancel removes the torrent from Transmission', async () => {
    expect((await admin.post('/api/fs/add_offline_download', { urls: [MAGNET], path: '/bt', tool: 'SimpleHttp' })).message).toMatch(/SimpleHttp cannot download magnet links/);
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/add_offline_download', { urls: [MAGNET], path: '/bt', tool: 'Transmission', delete_policy: 'delete_always' });
    expect(r.code, r.message).toBe(200);
    const id = (r.data.tasks[0] as TaskInfo).id;
    await waitFor(async () => /^\[Transmission\]: /.test((await admin.post<TaskInfo>(`/api/task/offline_download/info?tid=${id}`)).data.status), 30_000, 'Transmission’s status');
    const held = await daemon.rpc('torrent-get', { fields: ['hashString'] });
    expect((held.torrents as { hashString: string }[]).map((t) => t.hashString)).toEqual(['0123456789abcdef0123456789abcdef01234567']);
    expect((await admin.post(`/api/task/offline_download/cancel?tid=${id}`)).code).toBe(200);
    expect(await finished(admin, 'offline_download', id)).toMatchObject({ state: TaskState.Canceled });
    await waitFor(async () => ((await daemon.rpc('torrent-get', { fields: ['hashString'] })).torrents as unknown[]).length === 0, 30_000, 'the torrent to be removed');
  });

  it('a URL that is not a torrent fails with Transmission’s own words', async () => {
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/add_offline_download', { urls: [`${source.url}/plain/not-a.torrent`], path: '/bt', tool: 'Transmission' });
    expect(r.code, r.message).toBe(200);
    const info = await finished(admin, 'offline_download', (r.data.tasks[0] as TaskInfo).id);
    expect(info.state).toBe(TaskState.Failed);
    expect(info.error).toMatch(/^Transmission: /);
  });
});
