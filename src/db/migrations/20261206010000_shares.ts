import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

/**
 * Shares (OpenList's model: files, expiry, password, accesses and their limit, readme, header,
 * order) and their visits: one row per visitor and share while the visit lasts, so an access is
 * counted once per visit, not per request. `guards` keeps the folder passwords that guarded the
 * shared files when the share was made: a password added or changed later ends the share.
 * The same statements on SQLite and PostgreSQL.
 */
export function shares(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('shares')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('files', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('pwd', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('accessed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_accessed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('creator_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('remark', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('readme', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('header', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('order_by', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('order_direction', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('extract_folder', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('guards', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('shares_creator_idx').on('shares').column('creator_id').execute();
      await db.schema
        .createTable('share_visits')
        .addColumn('share_id', 'varchar(64)', (c) => c.notNull().references('shares.id').onDelete('cascade').onUpdate('cascade'))
        .addColumn('visitor', 'text', (c) => c.notNull())
        .addColumn('until', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('share_visits_pk', ['share_id', 'visitor'])
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('share_visits').execute();
      await db.schema.dropTable('shares').execute();
    },
  };
}
