
export const sftpOptions = {
  address: { type: 'string', label: 'Address', help: 'host:port of the SFTP server (port 22 when left out).', required: true },
  username: { type: 'string', label: 'Username' },
  password: { type: 'string', label: 'Password', secret: true },
  private_key: { type: 'text', label: 'Private key', help: 'PEM or OpenSSH private key text, unencrypted; used instead of, or besides, the password.', secret: true },
  root_folder_path: { type: 'string', label: 'Root folder path', help: 'Absolute folder on the server served as the storage root.', default: '/' },
  max_connections: {
    type: 'number',
    label: 'Max connections',
    help: 'Upper bound on SSH connections this storage keeps open at once.',
    default: 4,
    advanced: true,
  },
} as const;

/** What is known of the driver without loading it: names, option declarations, facts. */
export const sftpMeta = {
  id: 'SFTP',
  label: 'SFTP',
  description: 'A folder on an SSH server, over SFTP.',
  options: sftpOptions,
  facts: {
    caseSensitive: true,
    emptyDirs: true,
    // SFTP v3 carries whole seconds.
    mtimePrecisionMs: 1000,
    setsMtime: true,
    hashes: [],
    unknownSizeWrites: true,
    proxyOnly: true,
  },
} as const;
