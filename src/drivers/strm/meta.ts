import { strmOptions } from './options.js';

/** What is known of the driver without loading it: names, option declarations, facts. */
export const strmMeta = {
  id: 'Strm',
  label: 'Strm (media links)',
  description: 'Shows folders of this server with each video or audio file as a .strm file holding its download URL, for media servers such as Jellyfin, Emby or Kodi.',
  options: strmOptions,
  facts: {
    // Names are the folders' own (Local, WebDav, ... on Linux: case-sensitive).
    caseSensitive: true,
    emptyDirs: true,
    mtimePrecisionMs: 1000,
    setsMtime: false,
    hashes: [],
    unknownSizeWrites: false,
    // OpenList's OnlyProxy: a .strm is made here; pass-through files are read from their folder.
    proxyOnly: true,
  },
} as const;
