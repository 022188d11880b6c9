import { onedriveOptions } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const onedriveMeta = {
  id: 'Onedrive',
  label: 'OneDrive',
  description: 'OneDrive or SharePoint through Microsoft Graph, with OAuth refresh tokens.',
  options: onedriveOptions,
  facts: {
    caseSensitive: false,
    emptyDirs: true,
    mtimePrecisionMs: 1000,
    setsMtime: false,
    hashes: [],
    unknownSizeWrites: true,
    proxyOnly: false,
  },
} as const;
