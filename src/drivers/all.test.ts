import { describe, expect, it } from 'vitest';
import { builtinDrivers } from './all.js';
import type { AnyDriverDefinition } from './define-driver.js';

describe('builtinDrivers', () => {
  it('lists each driver with the names, option declarations and facts its module declares', async () => {
    const full = [
      (await import('./local/local.js')).localDriver,
      (await import('./sftp/sftp.js')).sftpDriver,
      (await import('./ftp/ftp.js')).ftpDriver,
      (await import('./s3/s3.js')).s3Driver,
      (await import('./webdav/webdav.js')).webdavDriver,
      (await import('./aliyundrive-open/aliyundrive-open.js')).aliyundriveOpenDriver,
      (await import('./onedrive/onedrive.js')).onedriveDriver,
      (await import('./crypt/crypt.js')).cryptDriver,
      (await import('./strm/strm.js')).strmDriver,
      (await import('./url-tree/url-tree.js')).urlTreeDriver,
    ] as unknown as AnyDriverDefinition[];
    const view = (d: AnyDriverDefinition) => ({ id: d.id, label: d.label, description: d.description, options: d.options, facts: d.facts });
    const listed = new Map(builtinDrivers().map((d) => [d.id, view(d)]));
    for (const d of full) expect(listed.get(d.id)).toEqual(view(d));
  }, 30_000);
});
