import { onedriveDriver } from '../../src/drivers/onedrive/onedrive.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { OnedriveFake } from '../fakes/onedrive-fake.js';
import { onedriveFor } from '../fakes/onedrive-setup.js';

runDriverConformance('Onedrive (fake Microsoft Graph)', async () => {
  const fake = await OnedriveFake.start();
  const { ctx, cleanup } = await createTestContext();
  // Chunks of 1 MiB (rounded to 320 KiB multiples) so the 8 MiB write uses an upload session of many ranges.
  const driver = onedriveFor(fake, ctx, fake.issuer.issueRefreshToken(), { chunk_size: 1 });
  return {
    driver,
    facts: onedriveDriver.facts,
    cleanup: async () => {
      await driver.close();
      await cleanup();
      await fake.close();
    },
  };
});
