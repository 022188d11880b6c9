import type { AnyDriverDefinition } from './define-driver.js';
import { localDriver } from './local/local.js';
import { sftpLazyDriver } from './sftp/lazy.js';
import { ftpLazyDriver } from './ftp/lazy.js';
import { s3LazyDriver } from './s3/lazy.js';
import { webdavLazyDriver } from './webdav/lazy.js';
import { aliyundriveOpenLazyDriver } from './aliyundrive-open/lazy.js';
import { onedriveLazyDriver } from './onedrive/lazy.js';
import { cryptLazyDriver } from './crypt/lazy.js';
import { strmLazyDriver } from './strm/lazy.js';
import { urlTreeLazyDriver } from './url-tree/lazy.js';
import { aliasLazyDriver } from './alias/lazy.js';

/**
 * Every built-in driver, listed explicitly. Each but Local (small, and the one every server has)
 * is its meta (names, option declarations, facts) here; its module, and the SDK or HTTP, XML and
 * retry libraries it brings, loads when a mount of it first starts.
 */
export function builtinDrivers(): AnyDriverDefinition[] {
  return [
    localDriver as unknown as AnyDriverDefinition,
    sftpLazyDriver as unknown as AnyDriverDefinition,
    ftpLazyDriver as unknown as AnyDriverDefinition,
    s3LazyDriver as unknown as AnyDriverDefinition,
    webdavLazyDriver as unknown as AnyDriverDefinition,
    aliyundriveOpenLazyDriver as unknown as AnyDriverDefinition,
    onedriveLazyDriver as unknown as AnyDriverDefinition,
    cryptLazyDriver as unknown as AnyDriverDefinition,
    strmLazyDriver as unknown as AnyDriverDefinition,
    urlTreeLazyDriver as unknown as AnyDriverDefinition,
    aliasLazyDriver as unknown as AnyDriverDefinition,
  ];
}
