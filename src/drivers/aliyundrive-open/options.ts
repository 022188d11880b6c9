import type { OptionsOf } from '../../core/storage/index.js';

/** AliyundriveOpen options, with AList's keys so an AList storage carries over. */
export const aliyundriveOpenOptions = {
  refresh_token: { type: 'text', label: 'Refresh token', help: 'A refresh token issued for AliyunDrive Open (openapi.alipan.com). Rotated tokens are kept in the database.', required: true, secret: true },
  root_folder_id: { type: 'string', label: 'Root folder id', help: 'file_id of the folder served as the storage root.', default: 'root' },
  drive_type: { type: 'select', label: 'Drive type', choices: ['default', 'resource', 'backup'], default: 'resource' },
  order_by: { type: 'select', label: 'Order by', choices: ['name', 'size', 'updated_at', 'created_at'], default: 'name' },
  order_direction: { type: 'select', label: 'Order direction', choices: ['ASC', 'DESC'], default: 'ASC' },
  client_id: { type: 'string', label: 'Client id', help: 'Your own AliyunDrive Open app; with the secret, tokens are refreshed directly at the provider.' },
  client_secret: { type: 'string', label: 'Client secret', secret: true },
  use_online_api: {
    type: 'bool',
    label: 'Use online API',
    help: 'Also refresh through a token helper service (oauth_token_url). It sees your refresh token; used first when no client id/secret is set, as a fallback otherwise.',
    default: false,
  },
  oauth_token_url: { type: 'string', label: 'Online API URL', help: "The token helper's URL (AList's POST form).", default: 'https://api.alistgo.com/alist/ali_open/token' },
  remove_way: { type: 'select', label: 'Remove way', choices: ['trash', 'delete'], default: 'trash', help: 'trash: to the recycle bin; delete: permanently.' },
  api_base_url: { type: 'string', label: 'API base URL', default: 'https://openapi.alipan.com', advanced: true },
  oauth_base_url: { type: 'string', label: 'OAuth base URL', help: 'Where /oauth/access_token lives; empty: the API base URL.', advanced: true },
  upload_part_size: { type: 'number', label: 'Upload part size (bytes)', help: 'Each part is buffered in memory while it is sent.', default: 10 * 1024 * 1024, advanced: true },
  request_timeout_ms: { type: 'number', label: 'Request timeout (ms)', help: 'For API and token calls (not for transfers).', default: 30_000, advanced: true },
  max_connections: { type: 'number', label: 'Max connections', default: 8, advanced: true },
} as const;

export type AliyundriveOpenOptions = OptionsOf<typeof aliyundriveOpenOptions>;
