import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_LINK_EXPIRATION_HOURS, newSignKey } from '../auth/sign.js';

/** AList's setting flags and groups (reference §4.4). */
export const SettingFlag = { Public: 0, Private: 1, ReadOnly: 2, Deprecated: 3 } as const;
export const SettingGroup = { Single: 0, Site: 1, Style: 2, Preview: 3, Global: 4, OfflineDownload: 5 } as const;

export interface SettingDefault {
  key: string;
  value: string;
  type: 'string' | 'number' | 'bool' | 'select' | 'text';
  group: number;
  flag: number;
  options?: string;
  help?: string;
  /** Stored sealed (SecretBox) in the database; the service holds the plain value in memory. */
  sealed?: true;
  /** The server's own: never listed nor returned by the settings API, nor saved or deleted through it. */
  internal?: true;
}

export function newAdminToken(): string {
  return `filebridge-${randomUUID()}${randomBytes(24).toString('hex')}`;
}

/** Settings every install has; missing keys are added at start, existing values are kept. */
export function defaultSettings(version: string): SettingDefault[] {
  const { Public, Private, ReadOnly } = SettingFlag;
  const { Site, Style, Preview, Global, Single, OfflineDownload } = SettingGroup;
  return [
    { key: 'version', value: version, type: 'string', group: Site, flag: ReadOnly },
    { key: 'site_title', value: 'Filebridge', type: 'string', group: Site, flag: Public },
    { key: 'announcement', value: '', type: 'text', group: Site, flag: Public },
    { key: 'pagination_type', value: 'all', type: 'select', options: 'all,pagination,load_more,auto_load_more', group: Site, flag: Public },
    { key: 'default_page_size', value: '30', type: 'number', group: Site, flag: Public },
    { key: 'allow_indexed', value: 'false', type: 'bool', group: Site, flag: Public },
    { key: 'allow_mounted', value: 'true', type: 'bool', group: Site, flag: Public },
    { key: 'logo', value: '', type: 'text', group: Style, flag: Public },
    { key: 'favicon', value: '', type: 'string', group: Style, flag: Public },
    { key: 'main_color', value: '#1890ff', type: 'string', group: Style, flag: Public },
    { key: 'text_types', value: 'txt,htm,html,xml,java,properties,sql,js,md,json,conf,ini,vue,php,py,bat,gitignore,yml,go,sh,c,cpp,h,hpp,tsx,vtt,srt,ass,rs,lrc,ts,css,toml,log', type: 'text', group: Preview, flag: Private },
    { key: 'audio_types', value: 'mp3,flac,ogg,m4a,wav,opus,wma,aac,ape', type: 'text', group: Preview, flag: Private },
    { key: 'video_types', value: 'mp4,mkv,avi,mov,rmvb,webm,flv,m3u8,wmv,ts,m2ts,mpg,mpeg', type: 'text', group: Preview, flag: Private },
    { key: 'image_types', value: 'jpg,tiff,jpeg,png,gif,bmp,svg,ico,swf,webp,avif,heic', type: 'text', group: Preview, flag: Private },
    { key: 'proxy_types', value: 'm3u8,url', type: 'text', group: Preview, flag: Private },
    { key: 'hide_files', value: 'false', type: 'bool', group: Global, flag: Public },
    { key: 'sign_all', value: 'true', type: 'bool', group: Global, flag: Private },
    // AList's default is 0 (never): here signed links expire after a day unless an admin sets 0.
    { key: 'link_expiration', value: String(DEFAULT_LINK_EXPIRATION_HOURS), type: 'number', group: Global, flag: Private, help: 'hours a signed link stays valid; 0 = never' },
    { key: 'content_origin', value: '', type: 'string', group: Global, flag: Private, help: 'origin (e.g. https://files.example.com) for raw_url preview links, so that user content is served apart from the UI; empty = the request’s' },
    { key: 'privacy_regs', value: '(?:(?:\\d|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[0-5])\\.){3}(?:\\d|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[0-5])', type: 'text', group: Global, flag: Private },
    { key: 'search_index', value: 'none', type: 'select', options: 'none,walk', group: Global, flag: Private },
    // Offline downloads (docs/offline-download.md): AList/OpenList's keys, an empty endpoint meaning "not configured".
    { key: 'aria2_uri', value: '', type: 'string', group: OfflineDownload, flag: Private, help: 'aria2 JSON-RPC endpoint, e.g. http://localhost:6800/jsonrpc; empty = aria2 not offered' },
    { key: 'aria2_secret', value: '', type: 'string', group: OfflineDownload, flag: Private, sealed: true, help: 'aria2 --rpc-secret' },
    { key: 'aria2_temp_dir', value: '', type: 'string', group: OfflineDownload, flag: Private, help: 'the staging folder as aria2 sees it, when aria2 runs elsewhere (another container); empty = the same path' },
    { key: 'qbittorrent_url', value: '', type: 'string', group: OfflineDownload, flag: Private, help: 'qBittorrent Web UI, e.g. http://admin:adminadmin@localhost:8080/ (not supported yet)' },
    { key: 'qbittorrent_seedtime', value: '0', type: 'number', group: OfflineDownload, flag: Private, help: 'minutes to seed after a download (not supported yet)' },
    { key: 'transmission_uri', value: '', type: 'string', group: OfflineDownload, flag: Private, help: 'Transmission RPC endpoint, e.g. http://localhost:9091/transmission/rpc; empty = Transmission not offered' },
    { key: 'transmission_seedtime', value: '0', type: 'number', group: OfflineDownload, flag: Private, help: 'minutes to seed after a download (kept for AList; torrents are removed from Transmission once downloaded)' },
    { key: 'transmission_temp_dir', value: '', type: 'string', group: OfflineDownload, flag: Private, help: 'the staging folder as Transmission sees it, when it runs elsewhere; empty = the same path' },
    { key: 'offline_download_temp_dir', value: '', type: 'string', group: OfflineDownload, flag: Private, help: 'the staging folder of offline downloads on this server; empty = <data>/temp/offline' },
    { key: 'offline_download_allow_private', value: 'false', type: 'bool', group: OfflineDownload, flag: Private, help: 'let offline downloads reach private, loopback, link-local and other non-public addresses (SSRF risk)' },
    { key: 'token', value: newAdminToken(), type: 'string', group: Single, flag: Private, sealed: true },
    { key: 'sign_key', value: newSignKey(), type: 'string', group: Single, flag: Private, sealed: true, internal: true },
  ];
}

/** Keys stored sealed, and keys the settings API never shows: derived from the declarations above. */
export function settingKeys(): { sealed: ReadonlySet<string>; internal: ReadonlySet<string> } {
  const all = defaultSettings('');
  return { sealed: new Set(all.filter((d) => d.sealed).map((d) => d.key)), internal: new Set(all.filter((d) => d.internal).map((d) => d.key)) };
}
