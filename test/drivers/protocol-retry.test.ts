import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ftpDriver } from '../../src/drivers/ftp/ftp.js';
import { sftpDriver } from '../../src/drivers/sftp/sftp.js';
import type { Driver } from '../../src/core/storage/index.js';
import { webdavDriver } from '../../src/drivers/webdav/webdav.js';
import { driverFromOptions } from '../conformance/context.js';
import { collect, readAll } from '../conformance/helpers.js';
import { startFtpServer } from '../servers/ftp.js';
import { startRcloneWebdav } from '../servers/rclone.js';
import { startSftpServer } from '../servers/sftp.js';

/**
 * A TCP proxy that resets the connection of the next `n` client writes it sees (a new
 * connection's first bytes, or a request on a pooled one): an upstream lost at the worst moment.
 */
interface FlakyProxy {
  address: string;
  failNext(n: number): void;
  /** Writes reset so far. */
  resets(): number;
  close(): Promise<void>;
}

async function startFlakyProxy(port: number): Promise<FlakyProxy> {
  let budget = 0;
  let resets = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.on('data', (chunk: Buffer) => {
      if (budget > 0) {
        budget--;
        resets++;
        client.resetAndDestroy();
      } else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    failNext: (n) => void (budget = n),
    resets: () => resets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

interface Upstream {
  driver: Driver;
  proxy: FlakyProxy;
  close(): Promise<void>;
}

const cases: [string, (dir: string) => Promise<Upstream>][] = [
  [
    'WebDav',
    async (dir) => {
      const server = await startRcloneWebdav(dir);
      const proxy = await startFlakyProxy(server.port);
      const { driver, dispose } = await driverFromOptions(webdavDriver, { address: `http://${proxy.address}/` });
      return { driver, proxy, close: async () => (await dispose(), await proxy.close(), await server.close()) };
    },
  ],
  [
    'FTP',
    async (dir) => {
      const server = await startFtpServer(dir);
      const proxy = await startFlakyProxy(server.port);
      const { driver, dispose } = await driverFromOptions(ftpDriver, { address: proxy.address, username: server.username, password: server.password });
      return { driver, proxy, close: async () => (await dispose(), await proxy.close(), await server.close()) };
    },
  ],
  [
    'SFTP',
    async (dir) => {
      const server = await startSftpServer(dir);
      const proxy = await startFlakyProxy(server.port);
      const { driver, dispose } = await driverFromOptions(sftpDriver, { address: proxy.address, username: server.username, password: server.password });
      return { driver, proxy, close: async () => (await dispose(), await proxy.close(), await server.close()) };
    },
  ],
];

for (const [name, start] of cases) {
  describe(`${name} driver: reads are repeated after a retryable failure`, () => {
    const st: { dir: string; up?: Upstream } = { dir: '' };
    const up = (): Upstream => st.up as Upstream;

    beforeAll(async () => {
      st.dir = await mkdtemp(path.join(os.tmpdir(), `filebridge-retry-${name}-`));
      await writeFile(path.join(st.dir, 'a.txt'), 'hello');
      st.up = await start(st.dir);
    });

    afterAll(async () => {
      await st.up?.close();
      await rm(st.dir, { recursive: true, force: true });
    });

    it('stat, list and read succeed when the connection is reset once', async () => {
      const { driver, proxy } = up();
      proxy.failNext(1);
      expect(await driver.stat('a.txt')).toMatchObject({ name: 'a.txt', size: 5 });
      proxy.failNext(1);
      expect((await collect(driver.list(''))).map((e) => e.name)).toEqual(['a.txt']);
      proxy.failNext(1);
      expect((await readAll((await driver.read('a.txt')).stream)).toString()).toBe('hello');
      expect(proxy.resets()).toBe(3);
    });

    it('gives up after two repeats with the retryable error', async () => {
      const { driver, proxy } = up();
      await driver.stat('a.txt'); // lets the sessions of the reads above settle
      const before = proxy.resets();
      proxy.failNext(100);
      await expect(driver.stat('a.txt')).rejects.toMatchObject({ retryable: true });
      expect(proxy.resets() - before).toBe(3);
      proxy.failNext(0);
      expect(await driver.stat('a.txt')).toMatchObject({ size: 5 });
    });
  });
}
