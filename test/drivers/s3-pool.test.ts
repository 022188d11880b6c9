import pino from 'pino';
import { s3Driver } from '../../src/drivers/s3/s3.js';
import { openDriver } from '../../src/drivers/shared/open.js';
import type { AnyDriverDefinition } from '../../src/drivers/define-driver.js';
import { memoryTokenStore } from '../conformance/context.js';
import { runPoolScenarios } from '../servers/pool-scenarios.js';
import { startS3Server } from '../servers/s3.js';
import { startTcpCounter } from '../servers/tcp-counter.js';

runPoolScenarios('S3', async () => {
  const s3 = await startS3Server();
  const counter = await startTcpCounter(s3.port);
  const max = 4;
  const options = { bucket: s3.bucket, endpoint: counter.origin, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, force_path_style: true, max_connections: max };
  const env = { logger: pino({ level: 'silent' }), tokens: memoryTokenStore(), tempDir: '/tmp', signal: new AbortController().signal };
  const { driver, release } = openDriver(s3Driver as unknown as AnyDriverDefinition, options, env);
  return {
    driver,
    counter,
    max,
    hardMax: max,
    release,
    cleanup: async () => {
      await release();
      await counter.close();
      await s3.close();
    },
  };
});
