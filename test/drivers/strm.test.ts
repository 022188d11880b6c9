/**
 * The conformance suite's read-only sections over Strm, over a Local mount and over a WebDav
 * mount (rclone serve webdav) of a real server: the driver is built on that server's tree, as a
 * Strm mount is. With showOtherFiles the suite's files (none of them media) show as they are;
 * files are seeded into the folder Strm shows. The .strm side is tested in strm-links.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { treeFor } from '../../src/core/tree.js';
import { strmDriver } from '../../src/drivers/strm/strm.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance, type Seed } from '../conformance/driver.suite.js';
import { bodyOf } from '../conformance/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startRcloneWebdav } from '../servers/rclone.js';

function seedInto(server: TestServer, folder: string): Seed {
  return {
    put: async (p, data) => {
      await server.fs.write(`${folder}/${p}`, bodyOf(data), { size: data.length });
    },
    mkdir: (p) => server.fs.mkdir(`${folder}/${p}`, { createParents: true }),
  };
}

async function strmOver(server: TestServer, paths: string, folder: string, close: () => Promise<void>) {
  const { ctx, cleanup } = await createTestContext();
  ctx.tree = treeFor(() => server.fs, '/strm');
  const driver = strmDriver.create(strmDriver.schema.parse({ paths, showOtherFiles: true }), ctx);
  return {
    driver,
    facts: strmDriver.facts,
    seed: seedInto(server, folder),
    cleanup: async () => {
      await cleanup();
      await server.stop();
      await close();
    },
  };
}

runDriverConformance('Strm over Local (one folder, shown as the root)', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-strm-'));
  const server = await startTestServer({ storages: [{ mountPath: '/src', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
  await server.fs.mkdir('/src/media', { createParents: true });
  return strmOver(server, '/src/media', '/src/media', () => rm(root, { recursive: true, force: true }));
});

runDriverConformance('Strm over WebDav (rclone serve webdav), named folder', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-strm-dav-'));
  const dav = await startRcloneWebdav(root, { user: 'u', pass: 'p' });
  const server = await startTestServer({ storages: [{ mountPath: '/dav', driver: 'WebDav', addition: JSON.stringify({ address: dav.url, username: 'u', password: 'p' }) }] });
  return strmOver(server, 'films:/dav', '/dav', async () => {
    await dav.close();
    await rm(root, { recursive: true, force: true });
  });
});
