import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFsError } from '../../src/core/errors.js';
import type { Driver } from '../../src/core/storage/index.js';
import { sftpDriver } from '../../src/drivers/sftp/sftp.js';
import { driverFromOptions } from '../conformance/context.js';
import { type SftpTestServer, startSftpServer } from '../servers/sftp.js';

/** SSH wire-format string: a 4-byte length, then the bytes. */
function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** A fresh ECDSA P-256 key: its PEM private key (as the option takes it) and its authorized_keys line (RFC 5656). */
function keyPair(): { privateKey: string; authorized: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);
  const blob = Buffer.concat([sshString(Buffer.from('ecdsa-sha2-nistp256')), sshString(Buffer.from('nistp256')), sshString(point)]);
  return { privateKey: privateKey.export({ type: 'sec1', format: 'pem' }).toString(), authorized: `ecdsa-sha2-nistp256 ${blob.toString('base64')} filebridge-test\n` };
}

describe('SFTP login with a private key (rclone serve sftp, key login only)', () => {
  let dir: string;
  let server: SftpTestServer;
  const key = keyPair();
  const undo: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-sftp-key-'));
    server = await startSftpServer(dir, { authorizedKeys: key.authorized });
  });

  afterAll(async () => {
    for (const u of undo.reverse()) await u();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function driverWith(addition: Record<string, unknown>): Promise<Driver> {
    const made = await driverFromOptions(sftpDriver, { address: server.address, username: 'u', ...addition });
    undo.push(made.dispose);
    return made.driver;
  }

  it('logs in with the key alone and writes, lists and reads', async () => {
    const driver = await driverWith({ private_key: key.privateKey });
    await driver.init?.(AbortSignal.timeout(10_000));
    await driver.write?.('by-key.txt', Readable.from([Buffer.from('signed in')]), { size: 9 });
    expect(await readFile(path.join(dir, 'by-key.txt'), 'utf8')).toBe('signed in');
    const names: string[] = [];
    for await (const e of driver.list('')) names.push(e.name);
    expect(names).toContain('by-key.txt');
  });

  it('with a key the server does not know, or with a password only, fails with a login error', async () => {
    for (const addition of [{ private_key: keyPair().privateKey }, { password: 'p' }]) {
      const driver = await driverWith(addition);
      const err = await driver.init?.(AbortSignal.timeout(10_000)).then(() => undefined, (e: unknown) => e);
      expect(isFsError(err), JSON.stringify(Object.keys(addition))).toBe(true);
      expect(err).toMatchObject({ code: 'unauthorized_upstream' });
    }
  });

  it('refuses a private key that is not a key as a setting to fix (not retried), naming the option', async () => {
    const driver = await driverWith({ private_key: 'not a key' });
    const err = await driver.init?.(AbortSignal.timeout(10_000)).then(() => undefined, (e: unknown) => e);
    expect(isFsError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'invalid_input', retryable: false });
    expect((err as Error).message).toMatch(/private_key/);
  });
});
