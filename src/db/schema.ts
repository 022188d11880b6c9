import type { Generated } from 'kysely';

/**
 * Kysely table types. Column conventions (portable between SQLite and PostgreSQL):
 * booleans are `integer` 0/1, timestamps are ISO-8601 text, JSON values are text.
 * Columns with a database default are `Generated<>` so inserts may omit them.
 */

export interface StoragesTable {
  id: Generated<number>;
  mount_path: string;
  order_index: Generated<number>;
  driver: string;
  cache_expiration: Generated<number>;
  addition: Generated<string>;
  remark: Generated<string>;
  modified: string;
  disabled: Generated<number>;
  enable_sign: Generated<number>;
  order_by: Generated<string>;
  order_direction: Generated<string>;
  extract_folder: Generated<string>;
  web_proxy: Generated<number>;
  webdav_policy: Generated<string>;
  down_proxy_url: Generated<string>;
  state_json: Generated<string>;
  config_version: Generated<number>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: Generated<string>;
  pwd_ts: Generated<number>;
  base_path: Generated<string>;
  role: Generated<number>;
  disabled: Generated<number>;
  permission: Generated<number>;
  otp_secret: Generated<string>;
  sso_id: Generated<string>;
  /** Login JWTs carry it; bumping it ends every session of the user. */
  session_epoch: Generated<number>;
  /** The last accepted TOTP time step (unix seconds / 30): codes for it or earlier are refused. */
  otp_last_step: Generated<number>;
}

export interface SettingsTable {
  key: string;
  value: Generated<string>;
  type: Generated<string>;
  group_id: Generated<number>;
  flag: Generated<number>;
}

export interface MetasTable {
  id: Generated<number>;
  path: string;
  password: Generated<string>;
  p_sub: Generated<number>;
  write: Generated<number>;
  w_sub: Generated<number>;
  hide: Generated<string>;
  h_sub: Generated<number>;
  readme: Generated<string>;
  r_sub: Generated<number>;
  header: Generated<string>;
  header_sub: Generated<number>;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  scope: string;
  path_prefix: Generated<string>;
  expires_at: string | null;
  created_at: string;
  last_used_at: string | null;
  last_used_ip: string | null;
  revoked_at: string | null;
}

export interface RevokedSessionsTable {
  jti: string;
  user_id: number;
  expires_at: string;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface SharesTable {
  id: string;
  files: string;
  expires_at: string | null;
  pwd: Generated<string>;
  accessed: Generated<number>;
  max_accessed: Generated<number>;
  creator_id: number;
  disabled: Generated<number>;
  remark: Generated<string>;
  readme: Generated<string>;
  header: Generated<string>;
  order_by: Generated<string>;
  order_direction: Generated<string>;
  extract_folder: Generated<string>;
  guards: Generated<string>;
  created_at: string;
}

export interface ShareVisitsTable {
  share_id: string;
  visitor: string;
  until: string;
}

export interface DB {
  leases: LeasesTable;
  storages: StoragesTable;
  users: UsersTable;
  settings: SettingsTable;
  metas: MetasTable;
  api_tokens: ApiTokensTable;
  revoked_sessions: RevokedSessionsTable;
  shares: SharesTable;
  share_visits: ShareVisitsTable;
}
