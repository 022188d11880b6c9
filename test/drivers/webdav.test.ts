import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { webdavDriver } from '../../src/drivers/webdav/webdav.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { startRcloneWebdav } from '../servers/rclone.js';

runDriverConformance('WebDav', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-dav-'));
  const server = await startRcloneWebdav(dir, { user: 'u', pass: 'p w' });
  const { ctx, cleanup } = await createTestContext();
  const driver = webdavDriver.create(webdavDriver.schema.parse({ address: server.url, username: 'u', password: 'p w' }), ctx);
  return {
    driver,
    facts: webdavDriver.facts,
    cleanup: async () => {
      await driver.close?.();
      await cleanup();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
