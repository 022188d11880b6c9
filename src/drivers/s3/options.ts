import type { OptionsOf } from '../../core/storage/index.js';

/** S3 options, with AList's keys so an AList S3 storage carries over. */
export const s3Options = {
  bucket: { type: 'string', label: 'Bucket', required: true },
  endpoint: {
    type: 'string',
    label: 'Endpoint',
    help: 'URL of the S3 API, e.g. https://s3.eu-west-1.amazonaws.com or http://minio:9000. Empty: Amazon S3 for the region.',
  },
  region: { type: 'string', label: 'Region', default: 'us-east-1' },
  access_key_id: { type: 'string', label: 'Access key id', help: 'Empty together with the secret: unsigned requests (public buckets).' },
  secret_access_key: { type: 'string', label: 'Secret access key', secret: true },
  session_token: { type: 'string', label: 'Session token', secret: true, advanced: true },
  root_folder_path: { type: 'string', label: 'Root folder path', help: 'Key prefix served as the storage root; empty or "/" for the whole bucket.', default: '/' },
  custom_host: {
    type: 'string',
    label: 'Custom host',
    help: 'Host (or scheme://host) that replaces the endpoint host in download links, e.g. a CDN in front of the bucket.',
    advanced: true,
  },
  sign_url_expire: { type: 'number', label: 'Link expiry (hours)', help: 'Validity of presigned download links.', default: 4 },
  placeholder: {
    type: 'string',
    label: 'Folder placeholder',
    help: 'Name of the empty object that keeps an empty folder in existence; hidden from listings.',
    default: '.placeholder',
    advanced: true,
  },
  force_path_style: { type: 'bool', label: 'Force path style', help: 'Address the bucket as endpoint/bucket instead of bucket.endpoint (MinIO, Ceph, most self-hosted stores).', default: false },
  list_object_version: { type: 'select', label: 'List objects version', choices: ['v1', 'v2'], default: 'v2', advanced: true },
  max_connections: { type: 'number', label: 'Max connections', help: 'Upper bound on open connections to the endpoint.', default: 16, advanced: true },
} as const;

export type S3Options = OptionsOf<typeof s3Options>;
