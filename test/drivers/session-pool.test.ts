import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FsError } from '../../src/core/errors.js';
import { ftpDriver } from '../../src/drivers/ftp/ftp.js';
import { ftpSessionFactory, type FtpSession } from '../../src/drivers/ftp/session.js';
import { SessionPool, type SessionFactory } from '../../src/drivers/shared/session-pool.js';
import { sftpSessionFactory, type SftpSession } from '../../src/drivers/sftp/session.js';
import { sftpDriver } from '../../src/drivers/sftp/sftp.js';
import type { Driver, DriverContext } from '../../src/core/storage/index.js';
import { createTestContext } from '../conformance/context.js';
import { expectFsError, readAll } from '../conformance/helpers.js';
import { startFtpServer, type FtpTestServer } from '../servers/ftp.js';
import { startSftpServer, type SftpTestServer } from '../servers/sftp.js';
import { startTcpCounter, type TcpCounter } from '../servers/tcp-counter.js';

const BIG = 4 * 1024 * 1024;

/** An in-memory factory: counts sessions and can be told to fail creates. */
function fakeFactory() {
  const state = { created: 0, destroyed: 0, failNext: false };
  const factory: SessionFactory<{ id: number; broken: boolean }> = {
    create: async () => {
      if (state.failNext) {
        state.failNext = false;
        throw new FsError('storage_unavailable', 'refused');
      }
      return { id: ++state.created, broken: false };
    },
    destroy: async () => {
      state.destroyed++;
    },
    isHealthy: (s) => !s.broken,
  };
  return { factory, state };
}

describe('SessionPool (in memory)', () => {
  it('never has more than max sessions and serves every waiter in turn', async () => {
    const { factory, state } = fakeFactory();
    const pool = new SessionPool(factory, { max: 3, idleMs: 60_000 });
    let inUse = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        pool.use(async () => {
          peak = Math.max(peak, ++inUse);
          await new Promise((r) => setImmediate(r));
          inUse--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(state.created).toBe(3);
    await pool.close();
    expect(state.destroyed).toBe(3);
  });

  it('rejects an acquire whose create fails (no retry loop), then creates again', async () => {
    const { factory, state } = fakeFactory();
    const pool = new SessionPool(factory, { max: 1, idleMs: 60_000 });
    state.failNext = true;
    await expectFsError(pool.acquire(), 'storage_unavailable');
    const s = await pool.acquire();
    expect(s.id).toBe(1);
    pool.release(s);
    await pool.close();
  });

  it('replaces broken sessions, drops aborted waiters, closes idle ones, and rejects waiters on close', async () => {
    vi.useFakeTimers();
    try {
      const { factory, state } = fakeFactory();
      const pool = new SessionPool(factory, { max: 1, idleMs: 1_000 });
      const a = await pool.acquire();
      const ac = new AbortController();
      const aborted = pool.acquire(ac.signal);
      ac.abort();
      await expectFsError(aborted, 'aborted');
      a.broken = true;
      pool.release(a);
      const b = await pool.acquire();
      expect(b.id).toBe(2);
      pool.release(b);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(pool.stats()).toMatchObject({ size: 0, idle: 0 });
      const c = await pool.acquire();
      const waiting = pool.acquire();
      await pool.close();
      await expectFsError(waiting, 'storage_unavailable');
      expect(c.id).toBe(3);
      expect(state.destroyed).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

interface Peer {
  name: string;
  start(dir: string): Promise<{ server: SftpTestServer | FtpTestServer; counter: TcpCounter }>;
  driver(port: number, server: SftpTestServer | FtpTestServer, max: number, ctx: DriverContext): Driver;
}

async function counted<T extends SftpTestServer | FtpTestServer>(server: T): Promise<{ server: T; counter: TcpCounter }> {
  return { server, counter: await startTcpCounter(server.port, server.host) };
}

const PEERS: Peer[] = [
  {
    name: 'SFTP',
    start: async (dir) => counted(await startSftpServer(dir)),
    driver: (port, server, max, ctx) => {
      const opts = { address: `127.0.0.1:${port}`, username: server.username, password: server.password, max_connections: max };
      return sftpDriver.create(sftpDriver.schema.parse(opts), ctx);
    },
  },
  {
    name: 'FTP',
    start: async (dir) => counted(await startFtpServer(dir)),
    driver: (port, server, max, ctx) => {
      const opts = { address: `127.0.0.1:${port}`, username: server.username, password: server.password, max_connections: max };
      return ftpDriver.create(ftpDriver.schema.parse(opts), ctx);
    },
  },
];

describe.each(PEERS)('$name driver connections (counted by a TCP proxy)', (peer) => {
  const env = {} as { dir: string; server: SftpTestServer | FtpTestServer; counter: TcpCounter; ctx: DriverContext; cleanup(): Promise<void> };
  const open = (max: number): Driver => peer.driver(env.counter.port, env.server, max, env.ctx);
  beforeAll(async () => {
    const { ctx, cleanup } = await createTestContext();
    Object.assign(env, { ctx, cleanup });
    env.dir = await mkdtemp(path.join(os.tmpdir(), `filebridge-pool-${peer.name}-`));
    await writeFile(path.join(env.dir, 'big.bin'), Buffer.alloc(BIG, 7));
    await writeFile(path.join(env.dir, 'small.txt'), 'small');
    Object.assign(env, await peer.start(env.dir));
  });
  afterAll(async () => {
    await env.cleanup?.();
    await env.counter?.close();
    await env.server?.close();
    await rm(env.dir, { recursive: true, force: true });
  });

  it('never opens more than max_connections, reuses them, and close() leaves none open', async () => {
    const before = env.counter.stats().total;
    const driver = open(2);
    const reads = Array.from({ length: 8 }, async () => (await readAll((await driver.read('small.txt')).stream)).toString());
    const stats = Array.from({ length: 8 }, () => driver.stat('big.bin'));
    expect(await Promise.all(reads)).toEqual(Array(8).fill('small'));
    expect((await Promise.all(stats)).map((e) => e.size)).toEqual(Array(8).fill(BIG));
    expect(env.counter.stats().peak).toBe(2);
    expect(env.counter.stats().total - before).toBe(2);
    await driver.close?.();
    await env.counter.waitFor((c) => c.open === 0, 'all connections closed');
  });

  it('an aborted read gives its session back or discards it; the pool stays usable', async () => {
    const before = env.counter.stats().total;
    const driver = open(1);
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const { stream } = await driver.read('big.bin', { signal: ac.signal });
      await new Promise((resolve) => stream.once('data', resolve));
      ac.abort();
      await expect(readAll(stream)).rejects.toThrow();
    }
    // With one connection allowed, a leaked session would make these wait forever.
    expect((await readAll((await driver.read('small.txt')).stream)).toString()).toBe('small');
    const ranged = await driver.read('big.bin', { range: { start: 10, end: 19 } });
    expect((await readAll(ranged.stream)).length).toBe(10);
    expect((await driver.stat('small.txt')).size).toBe(5);
    expect(env.counter.stats().open).toBeLessThanOrEqual(1);
    // SFTP closes the remote handle and reuses the one connection; FTP cannot stop a RETR cleanly,
    // so each aborted read and the range ending early discard their connection: 1 + 3 + 1.
    expect(env.counter.stats().total - before).toBe(peer.name === 'SFTP' ? 1 : 5);
    await driver.close?.();
    await env.counter.waitFor((c) => c.open === 0, 'all connections closed');
  });
});

/** A pass-through proxy that can cut every connection at once, as a network failure would. */
async function startCutter(targetPort: number): Promise<{ port: number; cutAll(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const sock of [client, upstream]) {
      sockets.add(sock);
      sock.on('error', () => undefined).on('close', () => {
        sockets.delete(sock);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = (): void => {
    for (const sock of [...sockets]) sock.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cutAll,
    close: () => new Promise<void>((resolve) => (cutAll(), server.close(() => resolve()))),
  };
}

describe('broken sessions are replaced on the next acquire', () => {
  it.each(['SFTP', 'FTP'])('%s', async (name) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-broken-'));
    const server = name === 'SFTP' ? await startSftpServer(dir) : await startFtpServer(dir);
    const counter = await startTcpCounter(server.port, server.host);
    const cutter = await startCutter(counter.port);
    const settings = { host: '127.0.0.1', port: cutter.port, username: 'u', password: 'p' };
    const factory =
      name === 'SFTP'
        ? (sftpSessionFactory({ ...settings, readyTimeoutMs: 20_000 }) as SessionFactory<SftpSession | FtpSession>)
        : (ftpSessionFactory({ ...settings, tls: 'none', tlsInsecureSkipVerify: false, timeoutMs: 30_000 }) as SessionFactory<SftpSession | FtpSession>);
    const pool = new SessionPool(factory, { max: 1, idleMs: 60_000 });
    try {
      const first = await pool.acquire();
      pool.release(first);
      expect(counter.stats().total).toBe(1);
      cutter.cutAll();
      await vi.waitFor(() => expect(factory.isHealthy(first)).toBe(false));
      const second = await pool.acquire();
      expect(second).not.toBe(first);
      expect(factory.isHealthy(second)).toBe(true);
      expect(counter.stats().total).toBe(2);
      pool.release(second);
    } finally {
      await pool.close();
      await counter.waitFor((c) => c.open === 0, 'all connections closed');
      await cutter.close();
      await counter.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
