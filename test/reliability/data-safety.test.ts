import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { basicAuth } from '../security/http.js';
import { startFaultProxy } from '../servers/fault-proxy.js';
import { payload, sha256, tempEntries } from './upload-helpers.js';

const ADMIN = basicAuth('admin', 'admin-test-pass');
const MIB = 1024 * 1024;

describe('data safety: concurrent writers and cross-mount transfers', () => {
  let server: TestServer;
  let work: string;
  let api: ApiClient;
  const dirs = { a: '', b: '' };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-safety-'));
    dirs.a = join(work, 'a');
    dirs.b = join(work, 'b');
    mkdirSync(dirs.a);
    mkdirSync(dirs.b);
    server = await startTestServer({
      storages: [
        { mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: dirs.a }) },
        { mountPath: '/b', driver: 'Local', addition: JSON.stringify({ root_folder_path: dirs.b }) },
      ],
    });
    api = new ApiClient(server.url, server.settings.get('token'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('8 concurrent writers to one path (API and WebDAV), 5 rounds: always one complete file, never a mix', async () => {
    for (let round = 0; round < 5; round++) {
      const bodies = Array.from({ length: 8 }, (_, i) => payload(2 * MIB + i * 4096, round * 100 + i));
      const hashes = new Set(bodies.map(sha256));
      const results = await Promise.all(
        bodies.map(async (body, i) => {
          if (i % 2 === 0) return (await api.put('/same.bin', body)).code;
          const res = await fetch(`${server.url}/dav/same.bin`, { method: 'PUT', headers: { authorization: ADMIN }, body });
          return res.status;
        }),
      );
      for (const r of results) expect([200, 201, 204]).toContain(r);
      const final = readFileSync(join(dirs.a, 'same.bin'));
      expect(hashes.has(sha256(final)), `round ${round}: the file is one writer's body`).toBe(true);
      const viaDav = Buffer.from(await (await fetch(`${server.url}/dav/same.bin`, { headers: { authorization: ADMIN } })).arrayBuffer());
      expect(sha256(viaDav)).toBe(sha256(final));
    }
    expect(tempEntries(dirs.a)).toEqual([]);
  });

  it('a cross-mount move never removes the source before the destination is complete', async () => {
    const big = payload(48 * MIB, 7);
    writeFileSync(join(dirs.a, 'big.bin'), big);
    let violations = 0;
    let samples = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const src = existsSync(join(dirs.a, 'big.bin'));
        const dst = join(dirs.b, 'big.bin');
        const dstSize = existsSync(dst) ? statSync(dst, { throwIfNoEntry: false })?.size : undefined;
        if (!src && dstSize !== big.length) violations++;
        samples++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const moved = await api.post('/api/fs/move', { src_dir: '/', dst_dir: '/b', names: ['big.bin'] });
    await waitFor(() => existsSync(join(dirs.b, 'big.bin')) && !existsSync(join(dirs.a, 'big.bin')), 30_000, 'the move to finish');
    watching = false;
    await watch;
    expect(moved.code, moved.message).toBe(200);
    expect(samples).toBeGreaterThan(10);
    expect(violations).toBe(0);
    expect(sha256(readFileSync(join(dirs.b, 'big.bin')))).toBe(sha256(big));
  });

  it('a cross-mount move or copy task whose destination fails mid-stream keeps the source whole and leaves no partial file', async () => {
    const upstreamRoot = join(work, 'up');
    mkdirSync(upstreamRoot);
    const upstream = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: upstreamRoot }) }] });
    const proxy = await startFaultProxy(Number(new URL(upstream.url).port));
    const srcRoot = join(work, 'src');
    mkdirSync(srcRoot);
    const front = await startTestServer({
      config: { breaker_threshold: 10_000, task_poll_ms: 50, task_retry_ms: 50, task_max_attempts: 2 },
      storages: [
        { mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: srcRoot }) },
        { mountPath: '/up', driver: 'WebDav', addition: JSON.stringify({ address: `${proxy.origin}/dav`, username: 'admin', password: 'admin-test-pass' }) },
      ],
    });
    try {
      const fapi = new ApiClient(front.url, front.settings.get('token'));
      const body = payload(32 * MIB, 11);
      writeFileSync(join(srcRoot, 'keep.bin'), body);
      for (const op of ['move', 'copy']) {
        proxy.set({ kind: 'pass' });
        // Across storages the transfer is a task: the request answers at once with it.
        const r = await fapi.post<{ tasks: { id: string }[] }>(`/api/fs/${op}`, { src_dir: '/', dst_dir: '/up', names: ['keep.bin'] });
        expect(r.code, `${op}: ${r.message}`).toBe(200);
        const id = (r.data.tasks[0] as { id: string }).id;
        await waitFor(() => tempEntries(upstreamRoot).length > 0, 10_000, 'the transfer to start writing upstream');
        proxy.set({ kind: 'reset' });
        // Every attempt dies mid-stream: the task fails, with the cause.
        await waitFor(async () => (await fapi.post(`/api/task/${op}/info?tid=${id}`)).data.state === 7, 30_000, `the ${op} task to fail`);
        expect(sha256(readFileSync(join(srcRoot, 'keep.bin'))), op).toBe(sha256(body));
        await waitFor(() => tempEntries(upstreamRoot).length === 0, 10_000, 'upstream temp to be removed');
        expect(existsSync(join(upstreamRoot, 'keep.bin')), op).toBe(false);
      }
    } finally {
      await front.stop();
      await proxy.close();
      await upstream.stop();
    }
  });
});
