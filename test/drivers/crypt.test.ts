/**
 * The conformance suite over Crypt, in each file name mode, over a Local mount of a real server:
 * the driver is built on that server's tree (DriverContext.tree), as a Crypt mount is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { treeFor } from '../../src/core/tree.js';
import { cryptDriver } from '../../src/drivers/crypt/crypt.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { startTestServer } from '../helpers/server.js';
import { startRcloneWebdav } from '../servers/rclone.js';

const MODES: Record<string, Record<string, string>> = {
  'standard, folder names encrypted, base32': { filename_encryption: 'standard', directory_name_encryption: 'true', filename_encoding: 'base32' },
  'obfuscate, folder names encrypted': { filename_encryption: 'obfuscate', directory_name_encryption: 'true' },
  'off (suffix .bin), defaults otherwise': {},
};

for (const [label, options] of Object.entries(MODES)) {
  runDriverConformance(`Crypt over Local: ${label}`, async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-crypt-'));
    const server = await startTestServer({ storages: [{ mountPath: '/plain', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
    const { ctx, cleanup } = await createTestContext();
    ctx.tree = treeFor(() => server.fs, '/crypt');
    const driver = cryptDriver.create(cryptDriver.schema.parse({ remote_path: '/plain', password: 'conformance pass', salt: 'and salt', ...options }), ctx);
    return {
      driver,
      facts: cryptDriver.facts,
      cleanup: async () => {
        await cleanup();
        await server.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  });
}

runDriverConformance('Crypt over WebDav (rclone serve webdav): standard, folder names encrypted, base32768', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-crypt-dav-'));
  const dav = await startRcloneWebdav(root, { user: 'u', pass: 'p' });
  const server = await startTestServer({ storages: [{ mountPath: '/dav', driver: 'WebDav', addition: JSON.stringify({ address: dav.url, username: 'u', password: 'p' }) }] });
  const { ctx, cleanup } = await createTestContext();
  ctx.tree = treeFor(() => server.fs, '/crypt');
  const options = { remote_path: '/dav', password: 'conformance pass', filename_encryption: 'standard', directory_name_encryption: 'true', filename_encoding: 'base32768' };
  const driver = cryptDriver.create(cryptDriver.schema.parse(options), ctx);
  return {
    driver,
    facts: cryptDriver.facts,
    cleanup: async () => {
      await cleanup();
      await server.stop();
      await dav.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
