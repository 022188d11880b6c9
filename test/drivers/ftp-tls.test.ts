import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isFsError } from '../../src/core/errors.js';
import { ftpDriver } from '../../src/drivers/ftp/ftp.js';
import type { Driver } from '../../src/core/storage/index.js';
import { driverFromOptions } from '../conformance/context.js';
import { type FtpTestServer, startFtpServer } from '../servers/ftp.js';

/** FTP over TLS against ftp-srv with a self-signed certificate; the conformance run over explicit TLS is in ftp.test.ts. */
describe('FTP TLS modes', () => {
  const undo: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const u of undo.splice(0).reverse()) await u();
  });

  async function setup(serverTls: 'none' | 'explicit' | 'implicit', addition: Record<string, unknown>): Promise<{ dir: string; server: FtpTestServer; driver: Driver }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-ftps-'));
    const server = await startFtpServer(dir, { tls: serverTls });
    const { driver, dispose } = await driverFromOptions(ftpDriver, { address: server.address, username: server.username, password: server.password, ...addition });
    undo.push(async () => {
      await dispose();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });
    return { dir, server, driver };
  }

  async function roundTrip(driver: Driver, dir: string): Promise<void> {
    await driver.init?.(AbortSignal.timeout(10_000));
    await driver.write?.('secret.txt', Readable.from([Buffer.from('over tls')]), { size: 8 });
    expect(await readFile(path.join(dir, 'secret.txt'), 'utf8')).toBe('over tls');
    await writeFile(path.join(dir, 'theirs.txt'), 'from the server');
    const names: string[] = [];
    for await (const e of driver.list('')) names.push(e.name);
    expect(names.sort()).toEqual(['secret.txt', 'theirs.txt']);
    const read = await driver.read('theirs.txt', {});
    const chunks: Buffer[] = [];
    for await (const c of read.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('from the server');
  }

  it('explicit: upgrades the control connection with AUTH TLS and protects data connections (PROT P) before any transfer', async () => {
    const { dir, server, driver } = await setup('explicit', { tls: 'explicit', tls_insecure_skip_verify: true });
    await roundTrip(driver, dir);
    const cmds = server.commands();
    expect(cmds[0]).toBe('AUTH');
    const prot = cmds.indexOf('PROT P');
    expect(prot).toBeGreaterThan(0);
    for (const transfer of ['STOR', 'LIST', 'RETR']) expect(cmds.indexOf(transfer), transfer).toBeGreaterThan(prot);
  });

  it('implicit: speaks TLS from the first byte (no AUTH command) and protects data connections', async () => {
    const { dir, server, driver } = await setup('implicit', { tls: 'implicit', tls_insecure_skip_verify: true });
    await roundTrip(driver, dir);
    expect(server.commands()).not.toContain('AUTH');
    expect(server.commands()).toContain('PROT P');
  });

  it('refuses a certificate it cannot verify unless told to skip the check, with an error that says so', async () => {
    const { driver } = await setup('explicit', { tls: 'explicit' });
    const err = await driver.init?.(AbortSignal.timeout(10_000)).then(() => undefined, (e: unknown) => e);
    expect(isFsError(err)).toBe(true);
    expect((err as Error).message).toMatch(/TLS|certificate/i);
  });

  it('plain FTP against a server that offers TLS still works, and sends no AUTH', async () => {
    const { dir, server, driver } = await setup('explicit', { tls: 'none' });
    await roundTrip(driver, dir);
    expect(server.commands()).not.toContain('AUTH');
  });
});
