import { cryptOptions } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const cryptMeta = {
  id: 'Crypt',
  label: 'Crypt (rclone-compatible)',
  description: 'Encrypts names and content into a folder of another storage, in rclone crypt\'s format.',
  options: cryptOptions,
  facts: {
    // Encrypted names of names that differ only in case differ (base64 relies on a case-sensitive remote).
    caseSensitive: true,
    emptyDirs: true,
    mtimePrecisionMs: 1000,
    setsMtime: false,
    // Digests of the encrypted bytes say nothing about the plain ones.
    hashes: [],
    unknownSizeWrites: true,
    proxyOnly: true,
  },
} as const;
