/** OpenList's setting flags and groups (internal/model/setting.go; reference §4.4). */
export const SettingFlag = { Public: 0, Private: 1, ReadOnly: 2, Deprecated: 3 } as const;
export const SettingGroup = { Single: 0, Site: 1, Style: 2, Preview: 3, Global: 4, OfflineDownload: 5, Index: 6, Sso: 7, Ldap: 8, S3: 9, Ftp: 10, Traffic: 11 } as const;

/** OpenList's setting types. */
export const SETTING_TYPES = ['string', 'number', 'bool', 'select', 'text'] as const;
export type SettingType = (typeof SETTING_TYPES)[number];

/** One declared setting: its default value, type, group, flag, options and help. */
export interface SettingDefault {
  key: string;
  value: string;
  type: SettingType;
  group: number;
  flag: number;
  /** For `select`: the comma-separated choices a value must be one of. */
  options?: string;
  help?: string;
  /** Stored sealed (SecretBox) in the database; the service holds the plain value in memory. */
  sealed?: true;
  /** The server's own: never listed nor returned by the settings API, nor saved or deleted through it. */
  internal?: true;
}
