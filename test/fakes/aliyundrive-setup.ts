import { aliyundriveOpenDriver, type AliyundriveOpenDriver } from '../../src/drivers/aliyundrive-open/aliyundrive-open.js';
import type { DriverContext } from '../../src/core/storage/index.js';
import { ALI_CLIENT_ID, ALI_CLIENT_SECRET, AliyunDriveFake } from './aliyundrive-fake.js';

/** Storage options (the `addition`) of an AliyundriveOpen storage served by `fake`. */
export function aliOptions(fake: AliyunDriveFake, refreshToken: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    refresh_token: refreshToken,
    client_id: ALI_CLIENT_ID,
    client_secret: ALI_CLIENT_SECRET,
    api_base_url: fake.url,
    request_timeout_ms: 2_000,
    ...extra,
  };
}

/** A driver over the fake, built as the server would build it. */
export function aliDriver(fake: AliyunDriveFake, ctx: DriverContext, refreshToken: string, extra: Record<string, unknown> = {}): AliyundriveOpenDriver {
  return aliyundriveOpenDriver.create(aliyundriveOpenDriver.schema.parse(aliOptions(fake, refreshToken, extra)), ctx) as AliyundriveOpenDriver;
}
