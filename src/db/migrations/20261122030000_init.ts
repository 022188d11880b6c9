import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';
import { withIdColumn } from './helpers.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

async function createStorages(db: Kysely<any>, engine: Engine): Promise<void> {
  await withIdColumn(db.schema.createTable('storages'), engine)
    .addColumn('mount_path', 'text', (c) => c.notNull().unique())
    .addColumn('order_index', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('driver', 'text', (c) => c.notNull())
    .addColumn('cache_expiration', 'integer', (c) => c.notNull().defaultTo(30))
    .addColumn('addition', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('remark', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('modified', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enable_sign', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('order_by', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('order_direction', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('extract_folder', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('web_proxy', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('webdav_policy', 'text', (c) => c.notNull().defaultTo('302_redirect'))
    .addColumn('down_proxy_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('config_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

async function createUsers(db: Kysely<any>, engine: Engine): Promise<void> {
  await withIdColumn(db.schema.createTable('users'), engine)
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('pwd_ts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('base_path', 'text', (c) => c.notNull().defaultTo('/'))
    .addColumn('role', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('permission', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('otp_secret', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('sso_id', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}

async function createSettings(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('string'))
    .addColumn('group_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flag', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('settings_group_id_idx').on('settings').column('group_id').execute();
}

async function createMetas(db: Kysely<any>, engine: Engine): Promise<void> {
  let table = withIdColumn(db.schema.createTable('metas'), engine)
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('password', 'text', (c) => c.notNull().defaultTo(''));
  for (const flag of ['p_sub', 'write', 'w_sub']) {
    table = table.addColumn(flag, 'integer', (c) => c.notNull().defaultTo(0));
  }
  await table
    .addColumn('hide', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('h_sub', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('readme', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('r_sub', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('header', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('header_sub', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

async function createTokens(db: Kysely<any>, engine: Engine): Promise<void> {
  await withIdColumn(db.schema.createTable('api_tokens'), engine)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('path_prefix', 'text', (c) => c.notNull().defaultTo('/'))
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('last_used_ip', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user_id_idx').on('api_tokens').column('user_id').execute();
  await db.schema
    .createTable('revoked_sessions')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revoked_sessions_expires_at_idx').on('revoked_sessions').column('expires_at').execute();
}

/** Initial schema: storages, users, settings, metas, api_tokens, revoked_sessions. */
export function init(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await createStorages(db, engine);
      await createUsers(db, engine);
      await createSettings(db);
      await createMetas(db, engine);
      await createTokens(db, engine);
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['revoked_sessions', 'api_tokens', 'metas', 'settings', 'users', 'storages']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
