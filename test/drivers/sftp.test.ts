import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sftpDriver } from '../../src/drivers/sftp/sftp.js';
import { driverFromOptions } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { startSftpServer } from '../servers/sftp.js';

runDriverConformance('SFTP (rclone serve sftp)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-sftp-'));
  const server = await startSftpServer(dir);
  const options = { address: server.address, username: server.username, password: server.password, root_folder_path: '/' };
  const { driver, dispose } = await driverFromOptions(sftpDriver, options);
  return {
    driver,
    facts: sftpDriver.facts,
    cleanup: async () => {
      await dispose();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
