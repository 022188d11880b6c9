import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createS3Driver, s3Driver, type S3Driver } from '../../src/drivers/s3/s3.js';
import { createTestContext } from '../conformance/context.js';
import { startS3Server, type S3TestServer } from '../servers/s3.js';

describe('S3 link()', () => {
  let s3: S3TestServer;
  const made: { driver: S3Driver; cleanup(): Promise<void> }[] = [];
  const driverWith = async (extra: Record<string, unknown>): Promise<S3Driver> => {
    const { ctx, cleanup } = await createTestContext();
    const base = { bucket: s3.bucket, endpoint: s3.endpoint, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, force_path_style: true };
    const driver = createS3Driver(s3Driver.schema.parse({ ...base, ...extra }), ctx);
    made.push({ driver, cleanup });
    return driver;
  };
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    for (const m of made) {
      await m.driver.close();
      await m.cleanup();
    }
    await s3.close();
  });

  it('gives a presigned URL that downloads the file and expires after sign_url_expire hours', async () => {
    const driver = await driverWith({ root_folder_path: '/links', sign_url_expire: 2 });
    await driver.write('a b/ü?#.txt', Readable.from([Buffer.from('linked')]), { size: 6 });
    const link = await driver.link('a b/ü?#.txt');
    const hours = ((link.expiresAt?.getTime() ?? 0) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThanOrEqual(2);
    const res = await request(link.url);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('linked');
  });

  it('puts custom_host in place of the endpoint host', async () => {
    const driver = await driverWith({ custom_host: 'https://cdn.example.com' });
    const url = new URL((await driver.link('x.txt')).url);
    expect(url.origin).toBe('https://cdn.example.com');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(4 * 3600));
  });
});
