import { s3Driver } from '../../src/drivers/s3/s3.js';
import { driverFromOptions } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { startS3Server } from '../servers/s3.js';

runDriverConformance('S3', async () => {
  const s3 = await startS3Server();
  const options = { bucket: s3.bucket, endpoint: s3.endpoint, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, force_path_style: true };
  const { driver, dispose } = await driverFromOptions(s3Driver, options);
  return {
    driver,
    facts: s3Driver.facts,
    cleanup: async () => {
      await dispose();
      await s3.close();
    },
  };
});
