import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ftpDriver } from '../../src/drivers/ftp/ftp.js';
import { driverFromOptions } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { startFtpServer } from '../servers/ftp.js';

// Plain FTP, and the same suite over explicit TLS (AUTH TLS, data protected; self-signed certificate).
for (const tls of ['none', 'explicit'] as const) {
  runDriverConformance(tls === 'none' ? 'FTP (ftp-srv)' : 'FTP over explicit TLS (ftp-srv, AUTH TLS)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-ftp-'));
    const server = await startFtpServer(dir, { tls });
    const options = { address: server.address, username: server.username, password: server.password, root_folder_path: '/', tls, tls_insecure_skip_verify: tls !== 'none' };
    const { driver, dispose } = await driverFromOptions(ftpDriver, options);
    return {
      driver,
      facts: ftpDriver.facts,
      cleanup: async () => {
        await dispose();
        await server.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}
