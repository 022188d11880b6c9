import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFsError } from '../../src/core/errors.js';
import type { Driver } from '../../src/core/storage/index.js';
import { webdavDriver } from '../../src/drivers/webdav/webdav.js';
import { driverFromOptions } from '../conformance/context.js';
import { type RcloneServer, startRcloneWebdav } from '../servers/rclone.js';

/** The WebDav driver over HTTPS: `rclone serve webdav` with a self-signed certificate. */
describe('WebDav over HTTPS with a self-signed certificate', () => {
  let dir: string;
  let server: RcloneServer;
  const undo: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-davs-'));
    // Before the server starts: rclone caches its folder listings.
    await writeFile(path.join(dir, 'theirs.txt'), 'from the server');
    server = await startRcloneWebdav(dir, { user: 'u', pass: 'p' }, { tls: true });
  });

  afterAll(async () => {
    for (const u of undo.reverse()) await u();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function driverWith(addition: Record<string, unknown>): Promise<Driver> {
    const made = await driverFromOptions(webdavDriver, { address: server.url, username: 'u', password: 'p', ...addition });
    undo.push(made.dispose);
    return made.driver;
  }

  it('is served over https', () => {
    expect(server.url.startsWith('https://')).toBe(true);
  });

  it('with tls_insecure_skip_verify: writes small and streamed files, lists and reads them back', async () => {
    const driver = await driverWith({ tls_insecure_skip_verify: true });
    await driver.init?.(AbortSignal.timeout(10_000));
    await driver.write?.('small.txt', Readable.from([Buffer.from('tls small')]), { size: 9 });
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await driver.write?.('big.bin', Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]), {});
    expect(await readFile(path.join(dir, 'small.txt'), 'utf8')).toBe('tls small');
    expect((await readFile(path.join(dir, 'big.bin'))).equals(big)).toBe(true);
    const names: string[] = [];
    for await (const e of driver.list('')) names.push(e.name);
    expect(names.sort()).toEqual(['big.bin', 'small.txt', 'theirs.txt']);
    const read = await driver.read('theirs.txt', {});
    const chunks: Buffer[] = [];
    for await (const c of read.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('from the server');
  });

  it('without it: refuses the certificate with an error that names the option', async () => {
    const driver = await driverWith({});
    const err = await driver.init?.(AbortSignal.timeout(10_000)).then(() => undefined, (e: unknown) => e);
    expect(isFsError(err)).toBe(true);
    expect((err as Error).message).toMatch(/self-signed.*tls_insecure_skip_verify/);
  });
});
