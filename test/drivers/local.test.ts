import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { localDriver } from '../../src/drivers/local/local.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';

runDriverConformance('Local', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-local-'));
  const { ctx, cleanup } = await createTestContext();
  const driver = localDriver.create(localDriver.schema.parse({ root_folder_path: root }), ctx);
  return {
    driver,
    facts: localDriver.facts,
    cleanup: async () => {
      await cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
});
