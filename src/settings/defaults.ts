import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_LINK_EXPIRATION_HOURS, newSignKey } from '../auth/sign.js';
import { type SettingDefault, SettingFlag, SettingGroup } from './groups.js';
import { uiSettings } from './ui-defaults.js';
import { SEARCH_MODES } from '../search/config.js';

export { type SettingDefault, SettingFlag, SettingGroup } from './groups.js';


export function newAdminToken(): string {
  return `filebridge-${randomUUID()}${randomBytes(24).toString('hex')}`;
}

/**
 * Settings every install has, in OpenList's order (the `index` the settings API reports); missing
 * keys are added at start and existing values are kept, while type, group and flag follow these
 * declarations.
 */
export function defaultSettings(version: string): SettingDefault[] {
  const { Public, Private, ReadOnly } = SettingFlag;
  const { Site, Style, Preview, Global, Single, OfflineDownload, Index } = SettingGroup;
  const ui = new Map(uiSettings().map((d) => [d.key, d]));
  const take = (...keys: string[]): SettingDefault[] => keys.map((k) => ui.get(k)).filter((d) => d !== undefined);
  return [
    { key: 'version', value: version, type: 'string', group: Site, flag: ReadOnly },
    { key: 'site_title', value: 'Filebridge', type: 'string', group: Site, flag: Public, help: 'title of the site and the browser tab' },
    { key: 'announcement', value: '', type: 'text', group: Site, flag: Public },
    { key: 'pagination_type', value: 'all', type: 'select', options: 'all,pagination,load_more,auto_load_more', group: Site, flag: Public, help: 'how long folders are paged in the web UI' },
    { key: 'default_page_size', value: '30', type: 'number', group: Site, flag: Public, help: 'entries per page when paged' },
    { key: 'allow_indexed', value: 'false', type: 'bool', group: Site, flag: Public, help: 'let search engines index the site' },
    { key: 'allow_mounted', value: 'true', type: 'bool', group: Site, flag: Public, help: 'show mount points in their parent listings' },
    ...take('logo', 'favicon'),
    { key: 'main_color', value: '#1890ff', type: 'string', group: Style, flag: Public, help: 'the web UI’s main colour' },
    ...take('home_icon', 'share_icon', 'home_container', 'settings_layout', 'show_disk_usage_in_plain_text'),
    { key: 'text_types', value: 'txt,htm,html,xml,java,properties,sql,js,md,json,conf,ini,vue,php,py,bat,gitignore,yml,go,sh,c,cpp,h,hpp,tsx,vtt,srt,ass,rs,lrc,ts,css,toml,log', type: 'text', group: Preview, flag: Private },
    { key: 'audio_types', value: 'mp3,flac,ogg,m4a,wav,opus,wma,aac,ape', type: 'text', group: Preview, flag: Private },
    { key: 'video_types', value: 'mp4,mkv,avi,mov,rmvb,webm,flv,m3u8,wmv,ts,m2ts,mpg,mpeg', type: 'text', group: Preview, flag: Private },
    { key: 'image_types', value: 'jpg,tiff,jpeg,png,gif,bmp,svg,ico,swf,webp,avif,heic', type: 'text', group: Preview, flag: Private },
    { key: 'proxy_types', value: 'm3u8,url', type: 'text', group: Preview, flag: Private, help: 'extensions always proxied, never redirected' },
    ...take('external_previews', 'iframe_previews', 'audio_cover', 'audio_autoplay', 'video_autoplay', 'preview_download_by_default', 'preview_archives_by_default', 'readme_autorender', 'filter_readme_scripts'),
    ...take('hide_files', 'package_download'),
    { key: 'sign_all', value: 'true', type: 'bool', group: Global, flag: Private },
    // AList's default is 0 (never): here signed links expire after a day unless an admin sets 0.
    { key: 'link_expiration', value: String(DEFAULT_LINK_EXPIRATION_HOURS), type: 'number', group: Global, flag: Private, help: 'hours a signed link stays valid; 0 = never' },
    { key: 'content_origin', value: '', type: 'string', group: Global, flag: Private, help: 'origin (e.g. https://files.example.com) for raw_url preview links, so that user content is served apart from the UI; empty = the request’s' },
    { key: 'privacy_regs', value: '(?:(?:\\d|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[0-5])\\.){3}(?:\\d|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[0-5])', type: 'text', group: Global, flag: Private },
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
    // OpenList's index group (src/search): the index lives in the database; `none` turns search off.
    { key: 'search_index', value: 'none', type: 'select', options: SEARCH_MODES.join(','), group: Index, flag: Public, help: 'none: search off (404 "search not available"); database: names indexed in the database, substrings found by a trigram index; database_non_full_text: the same index searched by a scan' },
    { key: 'auto_update_index', value: 'true', type: 'bool', group: Index, flag: Private, help: 'listings read from a storage correct the index (changes made through Filebridge always do)' },
    { key: 'ignore_paths', value: '', type: 'text', group: Index, flag: Private, help: 'one path per line: never indexed, nor anything below' },
    { key: 'max_index_depth', value: '20', type: 'number', group: Index, flag: Private, help: 'max depth of index (path segments below /)' },
    { key: 'index_crawl_interval', value: '24', type: 'number', group: Index, flag: Private, help: 'hours between background re-crawls of each storage; 0 = none (changes and listings still update the index)' },
    { key: 'index_crawl_rate', value: '20', type: 'number', group: Index, flag: Private, help: 'folders each storage’s background crawl lists per second at most' },
  ];
}

/** Keys stored sealed, and keys the settings API never shows: derived from the declarations above. */
export function settingKeys(): { sealed: ReadonlySet<string>; internal: ReadonlySet<string> } {
  const all = defaultSettings('');
  return { sealed: new Set(all.filter((d) => d.sealed).map((d) => d.key)), internal: new Set(all.filter((d) => d.internal).map((d) => d.key)) };
}
