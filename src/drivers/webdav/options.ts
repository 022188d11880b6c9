import type { OptionsOf } from '../../core/storage/index.js';

/** WebDav options, with AList's keys so an AList WebDav storage carries over. */
export const webdavOptions = {
  address: { type: 'string', label: 'Address', help: 'URL of the WebDAV server, e.g. https://dav.example.com/remote.php/dav/files/me/', required: true },
  username: { type: 'string', label: 'Username', help: 'Empty: no authentication.' },
  password: { type: 'string', label: 'Password', secret: true },
  root_folder_path: { type: 'string', label: 'Root folder path', help: 'Folder below the address served as the storage root.', default: '/' },
  tls_insecure_skip_verify: {
    type: 'bool',
    label: 'Skip TLS verification',
    help: 'Accept any server certificate (self-signed servers). The driver then uses a connection pool of its own.',
    default: false,
    advanced: true,
  },
  max_connections: { type: 'number', label: 'Max connections', help: 'Upper bound on requests (and so connections) in flight at once.', default: 16, advanced: true },
} as const;

export type WebdavOptions = OptionsOf<typeof webdavOptions>;
