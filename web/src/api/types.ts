export interface FsObject {
  name: string;
  size: number;
  is_dir: boolean;
  modified: string;
  sign: string;
  thumb: string;
  type: number;
}

export interface FsList {
  content: FsObject[] | null;
  total: number;
  readme: string;
  header: string;
  write: boolean;
  provider: string;
  /** Set when the server served a cached listing because the storage failed. */
  stale?: boolean;
  /** When the served (cached) listing was last fetched from the storage. */
  stale_since?: string;
  stale_reason?: string;
}

export interface FsGet extends FsObject {
  raw_url: string;
  readme: string;
  header: string;
  provider: string;
}

export interface Me {
  id: number;
  username: string;
  base_path: string;
  role: number;
  disabled: boolean;
  permission: number;
  otp: boolean;
}

export const Role = { General: 0, Guest: 1, Admin: 2 } as const;
export const Perm = {
  SeeHidden: 1 << 0,
  AccessWithoutPassword: 1 << 1,
  OfflineDownload: 1 << 2,
  Write: 1 << 3,
  Rename: 1 << 4,
  Move: 1 << 5,
  Copy: 1 << 6,
  Remove: 1 << 7,
  WebdavRead: 1 << 8,
  WebdavManage: 1 << 9,
} as const;

export function can(me: Me | undefined, bit: number): boolean {
  if (!me) return false;
  return me.role === Role.Admin || (me.permission & bit) === bit;
}

export interface FormItem {
  name: string;
  type: string;
  default: string;
  options: string;
  required: boolean;
  help: string;
  label?: string;
  secret?: boolean;
  advanced?: boolean;
}

export interface DriverInfo {
  common: FormItem[];
  additional: FormItem[];
  config: { name: string; label: string; description: string; only_proxy: boolean };
}

export interface MountHealth {
  state: string;
  error: string | null;
  since: string;
  last_error_at: string | null;
  next_retry_at: string | null;
  attempts: number;
}

export interface Storage {
  id: number;
  mount_path: string;
  order: number;
  driver: string;
  cache_expiration: number;
  status: string;
  addition: string;
  remark: string;
  modified: string;
  disabled: boolean;
  enable_sign: boolean;
  order_by: string;
  order_direction: string;
  extract_folder: string;
  web_proxy: boolean;
  webdav_policy: string;
  down_proxy_url: string;
  state: string;
  health: MountHealth | null;
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  scope: 'read' | 'write' | 'admin';
  path_prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  user_id: number;
  username?: string;
}

export interface UserRow {
  id: number;
  username: string;
  base_path: string;
  role: number;
  disabled: boolean;
  permission: number;
}

export interface MetaRow {
  id: number;
  path: string;
  password: string;
  p_sub: boolean;
  write: boolean;
  w_sub: boolean;
  hide: string;
  h_sub: boolean;
  readme: string;
  r_sub: boolean;
  header: string;
  header_sub: boolean;
}

export interface SettingRow {
  key: string;
  value: string;
  type: string;
  group: number;
  flag: number;
}

export interface Page<T> {
  content: T[];
  total: number;
}
