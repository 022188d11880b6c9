import type { OptionsOf } from '../../core/storage/index.js';

/** Onedrive options, with AList's keys so an AList storage carries over. */
export const onedriveOptions = {
  region: { type: 'select', label: 'Region', choices: ['global', 'cn', 'us', 'de'], default: 'global' },
  is_sharepoint: { type: 'bool', label: 'SharePoint', help: 'Serve the document library of site_id instead of your OneDrive.', default: false },
  client_id: { type: 'string', label: 'Client id', help: 'Your Azure app registration (needs Files.ReadWrite.All offline_access).' },
  client_secret: { type: 'string', label: 'Client secret', secret: true },
  redirect_uri: { type: 'string', label: 'Redirect URI', help: 'The redirect URI the refresh token was obtained with.', default: 'http://localhost' },
  refresh_token: { type: 'text', label: 'Refresh token', required: true, secret: true },
  site_id: { type: 'string', label: 'Site id', help: 'SharePoint site id (with is_sharepoint).' },
  root_folder_path: { type: 'string', label: 'Root folder path', default: '/' },
  chunk_size: { type: 'number', label: 'Chunk size (MiB)', help: 'Upload session chunk; rounded down to a multiple of 320 KiB. Buffered in memory while sent.', default: 5 },
  use_online_api: { type: 'bool', label: 'Use online API', help: 'Also refresh through a token helper service (api_url_address); it sees your refresh token.', default: false },
  api_url_address: { type: 'string', label: 'Online API URL', default: 'https://api.oplist.org/onedrive/renewapi' },
  api_base_url: { type: 'string', label: 'Graph base URL', help: 'Empty: the region\'s Microsoft Graph endpoint.', advanced: true },
  oauth_base_url: { type: 'string', label: 'OAuth base URL', help: "Empty: the region's login endpoint; /common/oauth2/v2.0/token is appended.", advanced: true },
  request_timeout_ms: { type: 'number', label: 'Request timeout (ms)', default: 30_000, advanced: true },
  max_connections: { type: 'number', label: 'Max connections', default: 8, advanced: true },
} as const;

export type OnedriveOptions = OptionsOf<typeof onedriveOptions>;

export const REGIONS: Record<string, { graph: string; login: string }> = {
  global: { graph: 'https://graph.microsoft.com/v1.0', login: 'https://login.microsoftonline.com' },
  cn: { graph: 'https://microsoftgraph.chinacloudapi.cn/v1.0', login: 'https://login.chinacloudapi.cn' },
  us: { graph: 'https://graph.microsoft.us/v1.0', login: 'https://login.microsoftonline.us' },
  de: { graph: 'https://graph.microsoft.de/v1.0', login: 'https://login.microsoftonline.de' },
};
