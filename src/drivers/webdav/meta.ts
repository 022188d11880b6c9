import { webdavOptions } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const webdavMeta = {
  id: 'WebDav',
  label: 'WebDAV',
  description: 'A folder on a WebDAV server (Nextcloud, ownCloud, rclone serve webdav, Apache, nginx, ...).',
  options: webdavOptions,
  facts: {
    caseSensitive: true,
    emptyDirs: true,
    mtimePrecisionMs: 1000,
    setsMtime: false,
    hashes: [],
    unknownSizeWrites: true,
    proxyOnly: true,
  },
} as const;
