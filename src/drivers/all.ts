import type { AnyDriverDefinition } from './define-driver.js';
import { localDriver } from './local/local.js';
import { sftpDriver } from './sftp/sftp.js';
import { ftpDriver } from './ftp/ftp.js';
import { s3Driver } from './s3/s3.js';
import { webdavDriver } from './webdav/webdav.js';
import { aliyundriveOpenDriver } from './aliyundrive-open/aliyundrive-open.js';
import { onedriveDriver } from './onedrive/onedrive.js';

/** Every built-in driver, listed explicitly. */
export function builtinDrivers(): AnyDriverDefinition[] {
  return [
    localDriver as unknown as AnyDriverDefinition,
    sftpDriver as unknown as AnyDriverDefinition,
    ftpDriver as unknown as AnyDriverDefinition,
    s3Driver as unknown as AnyDriverDefinition,
    webdavDriver as unknown as AnyDriverDefinition,
    aliyundriveOpenDriver as unknown as AnyDriverDefinition,
    onedriveDriver as unknown as AnyDriverDefinition,
  ];
}
