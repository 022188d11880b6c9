import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { webdavDriver } from '../../src/drivers/webdav/webdav.js';
import { driverFromOptions } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { startRcloneWebdav } from '../servers/rclone.js';

runDriverConformance('WebDav', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-dav-'));
  const server = await startRcloneWebdav(dir, { user: 'u', pass: 'p w' });
  const { driver, dispose } = await driverFromOptions(webdavDriver, { address: server.url, username: 'u', password: 'p w' });
  return {
    driver,
    facts: webdavDriver.facts,
    cleanup: async () => {
      await dispose();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
