import type { AnyDriverDefinition } from './define-driver.js';
import { localDriver } from './local/local.js';
import { sftpLazyDriver } from './sftp/lazy.js';
import { ftpLazyDriver } from './ftp/lazy.js';
import { s3LazyDriver } from './s3/lazy.js';
import { webdavDriver } from './webdav/webdav.js';
import { aliyundriveOpenDriver } from './aliyundrive-open/aliyundrive-open.js';
import { onedriveDriver } from './onedrive/onedrive.js';

/** Every built-in driver, listed explicitly; those with heavy SDKs load them when first mounted. */
export function builtinDrivers(): AnyDriverDefinition[] {
  return [
    localDriver as unknown as AnyDriverDefinition,
    sftpLazyDriver as unknown as AnyDriverDefinition,
    ftpLazyDriver as unknown as AnyDriverDefinition,
    s3LazyDriver as unknown as AnyDriverDefinition,
    webdavDriver as unknown as AnyDriverDefinition,
    aliyundriveOpenDriver as unknown as AnyDriverDefinition,
    onedriveDriver as unknown as AnyDriverDefinition,
  ];
}
