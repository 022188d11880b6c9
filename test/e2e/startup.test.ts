import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

interface MountHealth {
  mount_path: string;
  state: string;
  error: string | null;
  attempts: number;
}

async function mounts(server: TestServer): Promise<Record<string, MountHealth>> {
  // Mount details are for administrators (the admin token here).
  const res = await fetch(`${server.url}/readyz`, { headers: { authorization: server.settings.get('token') } });
  const body = (await res.json()) as { mounts: MountHealth[] };
  return Object.fromEntries(body.mounts.map((m) => [m.mount_path, m]));
}

describe('start-up with a hanging and a failing storage', () => {
  let server: TestServer;
  let work: string;
  let fault: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-startup-'));
    mkdirSync(join(work, 'good'));
    writeFileSync(join(work, 'good', 'hello.txt'), 'hello');
    fault = join(work, 'fault');
    writeFileSync(fault, 'refresh endpoint timed out');
    server = await startTestServer({
      config: { init_timeout_ms: 1500 },
      waitForMounts: false,
      storages: [
        { mountPath: '/good', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'good') }) },
        { mountPath: '/hang', driver: 'TestHang', addition: '{}' },
        { mountPath: '/flaky', driver: 'TestFaulty', addition: JSON.stringify({ fault_file: fault }) },
        { mountPath: '/nodriver', driver: 'NoSuchDriver', addition: '{}' },
      ],
    });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers /ping while a storage is still initialising', async () => {
    const before = await mounts(server);
    expect(before['/hang']?.state).toBe('pending');
    const res = await fetch(`${server.url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('pong');
  });

  it('serves the healthy storage while others fail', async () => {
    await waitFor(async () => (await mounts(server))['/good']?.state === 'ready', 10_000, 'good mount ready');
    const root = await server.fs.list('/');
    expect(root.entries.map((e) => e.name).sort()).toEqual(['flaky', 'good', 'hang', 'nodriver']);
    const good = await server.fs.list('/good');
    expect(good.entries.map((e) => e.name)).toEqual(['hello.txt']);
    await expect(server.fs.list('/flaky')).rejects.toMatchObject({ code: 'storage_unavailable' });
  });

  it('shows each failing storage with its error', async () => {
    await waitFor(async () => (await mounts(server))['/hang']?.state === 'error', 10_000, 'hang mount to time out');
    const m = await mounts(server);
    expect(m['/hang']?.error).toMatch(/did not finish within 1500 ms/);
    expect(m['/flaky']?.state).toBe('error');
    expect(m['/flaky']?.error).toBe('refresh endpoint timed out');
    expect(m['/nodriver']?.error).toMatch(/driver "NoSuchDriver" is not known/);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('degraded');
  });

  it('retries a failing storage in the background and recovers when the cause goes away', async () => {
    await waitFor(async () => ((await mounts(server))['/flaky']?.attempts ?? 0) >= 2, 10_000, 'a second attempt');
    rmSync(fault);
    await waitFor(async () => (await mounts(server))['/flaky']?.state === 'ready', 10_000, 'flaky mount to recover');
    const listing = await server.fs.list('/flaky');
    expect(listing.entries).toEqual([]);
  });
});
