import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { webdavDriver } from '../../src/drivers/webdav/webdav.js';
import { openDriver } from '../../src/drivers/shared/open.js';
import type { AnyDriverDefinition } from '../../src/drivers/define-driver.js';
import { memoryTokenStore } from '../conformance/context.js';
import { runPoolScenarios } from '../servers/pool-scenarios.js';
import { startRcloneWebdav } from '../servers/rclone.js';
import { startTcpCounter } from '../servers/tcp-counter.js';

runPoolScenarios('WebDav', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-dav-pool-'));
  const server = await startRcloneWebdav(dir);
  const counter = await startTcpCounter(server.port);
  const max = 4;
  const env = { logger: pino({ level: 'silent' }), tokens: memoryTokenStore(), tempDir: dir, signal: new AbortController().signal, connections: 8 };
  const { driver, release } = openDriver(webdavDriver as unknown as AnyDriverDefinition, { address: `${counter.origin}/`, max_connections: max }, env);
  return {
    driver,
    counter,
    max,
    hardMax: env.connections,
    release,
    cleanup: async () => {
      await release();
      await counter.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
