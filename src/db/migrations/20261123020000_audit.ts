import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';
import { withIdColumn } from './helpers.js';

/** The audit log: logins (ok and failed) and every admin change, newest read first. */
export function audit(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(db.schema.createTable('audit_log'), engine)
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('username', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('ip', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('audit_log').execute();
    },
  };
}
