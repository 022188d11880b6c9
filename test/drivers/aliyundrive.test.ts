import { aliyundriveOpenDriver } from '../../src/drivers/aliyundrive-open/aliyundrive-open.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { AliyunDriveFake } from '../fakes/aliyundrive-fake.js';
import { aliDriver } from '../fakes/aliyundrive-setup.js';

runDriverConformance('AliyundriveOpen (fake openapi.alipan.com)', async () => {
  const fake = await AliyunDriveFake.start();
  const { ctx, cleanup } = await createTestContext();
  // Parts of 1 MiB so the 8 MiB write goes through many parts and getUploadUrl.
  const driver = aliDriver(fake, ctx, fake.issuer.issueRefreshToken(), { upload_part_size: 1024 * 1024 });
  return {
    driver,
    facts: aliyundriveOpenDriver.facts,
    cleanup: async () => {
      await driver.close();
      await cleanup();
      await fake.close();
    },
  };
});
