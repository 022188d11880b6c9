import { onedriveDriver, type OnedriveDriver } from '../../src/drivers/onedrive/onedrive.js';
import type { DriverContext } from '../../src/core/storage/index.js';
import { MS_CLIENT_ID, MS_CLIENT_SECRET, type OnedriveFake } from './onedrive-fake.js';

export function onedriveOptionsFor(fake: OnedriveFake, refreshToken: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { refresh_token: refreshToken, client_id: MS_CLIENT_ID, client_secret: MS_CLIENT_SECRET, api_base_url: `${fake.url}/v1.0`, oauth_base_url: fake.url, request_timeout_ms: 2_000, ...extra };
}

export function onedriveFor(fake: OnedriveFake, ctx: DriverContext, refreshToken: string, extra: Record<string, unknown> = {}): OnedriveDriver {
  return onedriveDriver.create(onedriveDriver.schema.parse(onedriveOptionsFor(fake, refreshToken, extra)), ctx) as OnedriveDriver;
}
