import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { spawnServer } from '../helpers/cli.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { type FaultProxy, startFaultProxy } from '../servers/fault-proxy.js';
import { basicAuth } from '../security/http.js';
import { partialUpload, tempEntries } from './upload-helpers.js';

const ADMIN = basicAuth('admin', 'admin-test-pass');
const MIB = 1024 * 1024;

/**
 * 100 interrupted uploads, each leaving no partial file visible and no temp space behind:
 *  - 80 clients killed mid-body: 25 API PUT /api/fs/put with Content-Length, 15 API PUT chunked,
 *    10 API multipart /api/fs/form, 30 WebDAV PUT;
 *  - 10 upstream resets: uploads through a WebDav mount whose upstream connection is reset mid-body;
 *  - 10 server deaths: the real CLI server is SIGKILLed mid-upload and restarted (temp cleaned at start).
 */
describe('interrupted uploads leave nothing behind', () => {
  let server: TestServer;
  let work: string;
  let root: string;
  let token = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-interrupt-'));
    root = join(work, 'root');
    mkdirSync(root);
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
    token = server.settings.get('token');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('80 clients killed mid-body (API raw, chunked, multipart; WebDAV): 0 partial files, temp space empty', async () => {
    const kinds: { n: number; start: (name: string, i: number) => ReturnType<typeof partialUpload> }[] = [
      { n: 25, start: (name, i) => partialUpload(server.url, 'PUT', '/api/fs/put', { authorization: token, 'file-path': `/${name}` }, 2 * MIB, 64 * 1024 * (1 + (i % 12))) },
      { n: 15, start: (name, i) => partialUpload(server.url, 'PUT', '/api/fs/put', { authorization: token, 'file-path': `/${name}` }, 0, 64 * 1024 * (1 + (i % 12)), { chunked: true }) },
      {
        n: 10,
        start: (name, i) =>
          partialUpload(server.url, 'PUT', '/api/fs/form', { authorization: token, 'file-path': `/${name}`, 'content-type': 'multipart/form-data; boundary=XyZ' }, 2 * MIB, 64 * 1024 * (1 + (i % 12)), {
            prefix: `--XyZ\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`,
          }),
      },
      { n: 30, start: (name, i) => partialUpload(server.url, 'PUT', `/dav/${name}`, { authorization: ADMIN }, 2 * MIB, 64 * 1024 * (1 + (i % 12))) },
    ];
    let count = 0;
    const names: string[] = [];
    for (const [k, kind] of kinds.entries()) {
      // Ten at a time: open, get mid-body, kill.
      for (let i = 0; i < kind.n; i += 10) {
        const batch = Array.from({ length: Math.min(10, kind.n - i) }, (_, j) => {
          const name = `cut-${k}-${i + j}.bin`;
          names.push(name);
          return kind.start(name, i + j);
        });
        await Promise.all(batch.map((b) => b.started));
        await new Promise((r) => setTimeout(r, 30));
        for (const b of batch) b.kill();
        await Promise.all(batch.map((b) => b.done));
        count += batch.length;
      }
    }
    expect(count).toBe(80);
    await waitFor(() => tempEntries(root).length === 0, 10_000, 'temp files of aborted uploads to be removed');
    const visible = readdirSync(root).filter((n) => n.startsWith('cut-'));
    expect(visible).toEqual([]);
    const listed = await new ApiClient(server.url, token).post('/api/fs/list', { path: '/', refresh: true });
    expect((listed.data.content as { name: string }[]).filter((e) => names.includes(e.name))).toEqual([]);
  });

  it('10 upstream resets mid-upload (WebDav mount through a resetting proxy): 0 partial files on either side', async () => {
    const upstreamRoot = join(work, 'upstream');
    mkdirSync(upstreamRoot);
    const upstream = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: upstreamRoot }) }] });
    const proxy: FaultProxy = await startFaultProxy(Number(new URL(upstream.url).port));
    const front = await startTestServer({
      config: { breaker_threshold: 10_000 },
      storages: [{ mountPath: '/up', driver: 'WebDav', addition: JSON.stringify({ address: `${proxy.origin}/dav`, username: 'admin', password: 'admin-test-pass' }) }],
    });
    try {
      const frontToken = front.settings.get('token');
      let answered = 0;
      for (let i = 0; i < 10; i++) {
        proxy.set({ kind: 'pass' });
        const up = partialUpload(front.url, 'PUT', '/api/fs/put', { authorization: frontToken, 'file-path': `/up/reset-${i}.bin` }, 4 * MIB, 512 * 1024);
        await up.started;
        await new Promise((r) => setTimeout(r, 50));
        proxy.set({ kind: 'reset' });
        // The client keeps sending; the front's next bytes upstream meet the reset.
        up.write(Buffer.alloc(512 * 1024, 1));
        const status = await Promise.race([up.done, new Promise<number>((r) => setTimeout(() => r(0), 5_000))]);
        if (status > 0) answered++;
        // The upstream went away, not the client: a 5xx (upstream error), never a 4xx.
        expect(up.answer(), `upload ${i}`).toMatch(/"code":5\d\d/);
        up.kill();
        await up.done;
      }
      proxy.set({ kind: 'pass' });
      await waitFor(() => tempEntries(upstreamRoot).length === 0, 10_000, 'upstream temp files to be removed');
      expect(readdirSync(upstreamRoot).filter((n) => n.startsWith('reset-'))).toEqual([]);
      // The front still works afterwards, and lists no partial file.
      const api = new ApiClient(front.url, frontToken);
      await waitFor(async () => (await api.post('/api/fs/list', { path: '/up', refresh: true })).code === 200, 10_000, 'the WebDav mount to answer');
      const listed = await api.post('/api/fs/list', { path: '/up', refresh: true });
      expect((listed.data.content as { name: string }[]).map((e) => e.name).filter((n) => n.startsWith('reset-'))).toEqual([]);
      // The front noticed the upstream reset and answered the client itself (not a client abort).
      expect(answered).toBe(10);
    } finally {
      await front.stop();
      await proxy.close();
      await upstream.stop();
    }
  });

  it('10 SIGKILLs of the real server mid-upload: no partial file, temp space cleaned at the next start', async () => {
    const dataDir = join(work, 'killed');
    const files = join(dataDir, 'files');
    const env = { FILEBRIDGE_ADMIN_PASSWORD: 'admin-test-pass', FILEBRIDGE_LOG_LEVEL: 'info' };
    let leftovers = 0;
    for (let i = 0; i < 10; i++) {
      const { child, url } = await spawnServer(['--data', dataDir], env);
      try {
        if (i > 0) {
          // The previous run died mid-upload; this start cleaned its temp space.
          await waitFor(() => existsSync(join(files, '.filebridge-tmp')) && tempEntries(files).length === 0, 10_000, 'temp space to be cleaned at start');
        }
        const tok = await new ApiClient(url).login();
        const up = partialUpload(url, 'PUT', '/api/fs/put', { authorization: tok, 'file-path': `/killed-${i}.bin` }, 8 * MIB, 1 * MIB);
        await up.started;
        await waitFor(() => tempEntries(files).length > 0, 5_000, 'the upload to reach the temp folder');
        leftovers += tempEntries(files).length;
        child.kill('SIGKILL');
        await up.done;
        await new Promise((r) => child.once('exit', r));
        expect(readdirSync(files).filter((n) => n.startsWith('killed-'))).toEqual([]);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
    expect(leftovers).toBeGreaterThanOrEqual(10);
    // One more start cleans the last run's leftovers.
    const { child, url } = await spawnServer(['--data', dataDir], env);
    try {
      await waitFor(() => tempEntries(files).length === 0, 10_000, 'temp space to be cleaned at start');
      const listed = await new ApiClient(url, await new ApiClient(url).login()).post('/api/fs/list', { path: '/', refresh: true });
      expect((listed.data.content as { name: string }[]).filter((e) => e.name.startsWith('killed-'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});

