// The API's shapes and numbers, declared once on the server (src/wire/) and shared here.
import type { Me } from '../../../src/wire/users.js';
import { Perm, UserRole } from '../../../src/wire/users.js';

export type { FsGet, FsList, FsObject } from '../../../src/wire/fs.js';
export type { Me } from '../../../src/wire/users.js';
export { Perm };
export const Role = UserRole;

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

/** A user as the admin user list shows it: /api/me's fields without the 2FA flag. */
export type UserRow = Omit<Me, 'otp'>;

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
