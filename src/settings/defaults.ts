import { randomBytes, randomUUID } from 'node:crypto';

/** AList's setting flags and groups (reference §4.4). */
export const SettingFlag = { Public: 0, Private: 1, ReadOnly: 2, Deprecated: 3 } as const;
export const SettingGroup = { Single: 0, Site: 1, Style: 2, Preview: 3, Global: 4 } as const;

export interface SettingDefault {
  key: string;
  value: string;
  type: 'string' | 'number' | 'bool' | 'select' | 'text';
  group: number;
  flag: number;
  options?: string;
  help?: string;
}

export function newAdminToken(): string {
  return `filebridge-${randomUUID()}${randomBytes(24).toString('hex')}`;
}

/** Settings every install has; missing keys are added at start, existing values are kept. */
export function defaultSettings(version: string): SettingDefault[] {
  const { Public, Private, ReadOnly } = SettingFlag;
  const { Site, Style, Preview, Global, Single } = SettingGroup;
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
    { key: 'link_expiration', value: '0', type: 'number', group: Global, flag: Private, help: 'hours a signed link stays valid; 0 = never' },
    { key: 'privacy_regs', value: '(?:(?:\\d|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[0-5])\\.){3}(?:\\d|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[0-5])', type: 'text', group: Global, flag: Private },
    { key: 'search_index', value: 'none', type: 'select', options: 'none,walk', group: Global, flag: Private },
    { key: 'token', value: newAdminToken(), type: 'string', group: Single, flag: Private },
  ];
}
