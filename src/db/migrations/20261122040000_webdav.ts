import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

/** WebDAV state: write locks (shared by every instance, kept across restarts) and dead properties. */
export function webdav(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('dav_locks')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('root', 'text', (c) => c.notNull())
        .addColumn('depth', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('timeout_s', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dav_locks_root_idx').on('dav_locks').column('root').execute();
      await db.schema.createIndex('dav_locks_expires_at_idx').on('dav_locks').column('expires_at').execute();
      await db.schema
        .createTable('dav_props')
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('parent', 'text', (c) => c.notNull())
        .addColumn('ns', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull().defaultTo(''))
        .addPrimaryKeyConstraint('dav_props_pk', ['path', 'ns', 'name'])
        .execute();
      await db.schema.createIndex('dav_props_parent_idx').on('dav_props').column('parent').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('dav_props').ifExists().execute();
      await db.schema.dropTable('dav_locks').ifExists().execute();
    },
  };
}
