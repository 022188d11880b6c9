import { s3Options } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const s3Meta = {
  id: 'S3',
  label: 'S3',
  description: 'A bucket on Amazon S3 or any S3-compatible object store (MinIO, Ceph, R2, Wasabi, ...).',
  options: s3Options,
  facts: {
    caseSensitive: true,
    emptyDirs: true,
    mtimePrecisionMs: 1000,
    setsMtime: false,
    hashes: [],
    unknownSizeWrites: true,
    proxyOnly: false,
  },
} as const;
