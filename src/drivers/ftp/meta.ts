
export const ftpOptions = {
  address: { type: 'string', label: 'Address', help: 'host:port of the FTP server (port 21 when left out).', required: true },
  username: { type: 'string', label: 'Username', help: 'Empty logs in as anonymous.' },
  password: { type: 'string', label: 'Password', secret: true },
  root_folder_path: { type: 'string', label: 'Root folder path', help: 'Absolute folder on the server served as the storage root.', default: '/' },
  tls: {
    type: 'select',
    label: 'TLS',
    help: 'none: plain FTP; explicit: AUTH TLS on the normal port (FTPES); implicit: TLS from the first byte (FTPS, usually port 990).',
    choices: ['none', 'explicit', 'implicit'],
    default: 'none',
  },
  tls_insecure_skip_verify: { type: 'bool', label: 'Skip TLS certificate check', help: 'Accept any server certificate (self-signed).', advanced: true },
  max_connections: { type: 'number', label: 'Max connections', help: 'Upper bound on FTP control connections at once; each runs one transfer at a time.', default: 4, advanced: true },
} as const;

/** What is known of the driver without loading it: names, option declarations, facts. */
export const ftpMeta = {
  id: 'FTP',
  label: 'FTP',
  description: 'A folder on an FTP server (plain, explicit or implicit TLS).',
  options: ftpOptions,
  facts: {
    caseSensitive: true,
    emptyDirs: true,
    // A LIST date has minutes at best (MLSD has seconds, but not every server offers it).
    mtimePrecisionMs: 60_000,
    // Only servers with MFMT can set it, so it is not promised.
    setsMtime: false,
    hashes: [],
    unknownSizeWrites: true,
    proxyOnly: true,
  },
} as const;
