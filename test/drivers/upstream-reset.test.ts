import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyDriverDefinition } from '../../src/drivers/define-driver.js';
import { openDriver } from '../../src/drivers/shared/open.js';
import type { Driver } from '../../src/core/storage/index.js';
import { webdavDriver } from '../../src/drivers/webdav/webdav.js';
import { memoryTokenStore } from '../conformance/context.js';
import { collect, expectFsError } from '../conformance/helpers.js';
import { waitFor } from '../helpers/server.js';
import { type FaultProxy, startFaultProxy } from '../servers/fault-proxy.js';
import { startRcloneWebdav } from '../servers/rclone.js';

/** A body that arrives over time, as from a real client. */
function slowBody(bytes: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      setTimeout(() => this.push(chunk.subarray(0, n)), 2);
    },
  });
}

describe('WebDav driver: the upstream lost in the middle of an upload', () => {
  const st: { dir: string; proxy?: FaultProxy; close?: () => Promise<void>; driver?: Driver; release?: () => Promise<void> } = { dir: '' };

  beforeAll(async () => {
    st.dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-dav-reset-'));
    const server = await startRcloneWebdav(st.dir);
    st.close = () => server.close();
    st.proxy = await startFaultProxy(server.port);
    const env = { logger: pino({ level: 'silent' }), tokens: memoryTokenStore(), tempDir: st.dir, signal: new AbortController().signal, connections: 4 };
    const opened = openDriver(webdavDriver as unknown as AnyDriverDefinition, { address: `${st.proxy.origin}/`, max_connections: 2 }, env);
    st.driver = opened.driver;
    st.release = opened.release;
  });

  afterAll(async () => {
    await st.release?.();
    await st.proxy?.close();
    await st.close?.();
    await rm(st.dir, { recursive: true, force: true });
  });

  it('is an upstream error (not a client abort), leaves no file, and the next upload works', async () => {
    const d = st.driver as Driver;
    const write = d.write?.bind(d);
    if (!write) throw new Error('WebDav driver cannot write');
    await write('ok-before.bin', slowBody(1000), { size: 1000 });
    for (const size of [100 * 1024, 2 * 1024 * 1024]) {
      st.proxy?.set({ kind: 'reset-after', bytes: 64 * 1024 });
      const err = await expectFsError(write(`lost-${size}.bin`, slowBody(size), { size }), 'upstream_error');
      expect(err.retryable).toBe(true);
      st.proxy?.set({ kind: 'pass' });
    }
    await write('ok-after.bin', slowBody(300 * 1024), { size: 300 * 1024 });
    // Nothing half-written is ever listed; what the upstream kept of the broken PUT goes soon after.
    expect((await collect(d.list(''))).map((e) => e.name).sort()).toEqual(['ok-after.bin', 'ok-before.bin']);
    await waitFor(async () => (await readdir(st.dir)).length === 2, 5000, 'the upstream to lose the broken upload');
    expect((await readdir(st.dir)).sort()).toEqual(['ok-after.bin', 'ok-before.bin']);
  });
});
