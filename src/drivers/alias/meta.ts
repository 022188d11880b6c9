import { aliasOptions } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const aliasMeta = {
  id: 'Alias',
  label: 'Alias',
  description: 'Shows folders of other storages of this server as one folder, merged by name.',
  options: aliasOptions,
  facts: {
    // Names are merged as spelled; each backend folds case or not as it does.
    caseSensitive: true,
    emptyDirs: true,
    mtimePrecisionMs: 1000,
    setsMtime: false,
    // Digests are the backends' when they give them; none is promised.
    hashes: [],
    unknownSizeWrites: true,
    // link() passes the backend's direct link through.
    proxyOnly: false,
  },
} as const;
