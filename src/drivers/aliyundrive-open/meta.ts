import { aliyundriveOpenOptions } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const aliyundriveOpenMeta = {
  id: 'AliyundriveOpen',
  label: 'AliyunDrive Open',
  description: 'AliyunDrive (alipan.com) through its Open API, with OAuth refresh tokens.',
  options: aliyundriveOpenOptions,
  facts: {
    caseSensitive: true,
    emptyDirs: true,
    mtimePrecisionMs: 1,
    setsMtime: false,
    hashes: ['sha1'],
    unknownSizeWrites: true,
    proxyOnly: false,
  },
} as const;
