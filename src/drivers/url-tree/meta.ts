import { urlTreeOptions } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const urlTreeMeta = {
  id: 'UrlTree',
  label: 'URL tree',
  description: 'A read-only tree of folders and files declared as text, each file a URL: read through this server (Range passed on), or redirected to.',
  options: urlTreeOptions,
  facts: {
    // Names are compared as written in the text.
    caseSensitive: true,
    // A folder line with nothing under it is a folder.
    emptyDirs: true,
    // Only the text gives modification times, and it may leave them out.
    mtimePrecisionMs: 0,
    setsMtime: false,
    hashes: [],
    unknownSizeWrites: false,
    proxyOnly: false,
  },
} as const;
