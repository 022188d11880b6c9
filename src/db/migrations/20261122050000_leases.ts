import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';

/** Short leases shared by every process on one database (e.g. one OAuth refresh at a time). */
export function leases(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('leases').execute();
    },
  };
}
