import type { Kysely, Migration } from 'kysely';
import { sql } from '../kysely.js';
import type { Engine } from '../client.js';
import { NOTIFIED_TABLES } from './20261123010000_change_notify.js';
import { withIdColumn } from './helpers.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

/** The tables PostgreSQL notifies about (change_notify, dav_locks_notify): the same on SQLite. */
export const LOGGED_TABLES = [...NOTIFIED_TABLES, 'dav_locks'] as const;

/**
 * `change_log (id, topic, created)`: SQLite's counterpart of NOTIFY, for several server processes
 * (workers) and the CLI on one database file. Row triggers append the table's name after every
 * insert, update or delete of a logged table, whoever wrote it; notices with no table write
 * (which folders changed) are appended by hand. Each process reads the rows after the last one
 * it saw when `PRAGMA data_version` says another connection committed (db/change-log.ts).
 * `created` is in seconds since the epoch, for pruning.
 *
 * On PostgreSQL the table is made too, so both engines have the same tables, but stays empty:
 * NOTIFY carries the changes there.
 */
export function changeLog(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withIdColumn(db.schema.createTable('change_log'), engine)
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .execute();
      if (engine !== 'sqlite') return;
      for (const table of LOGGED_TABLES) {
        for (const event of ['INSERT', 'UPDATE', 'DELETE'] as const) {
          await sql`
            CREATE TRIGGER ${sql.id(`${table}_log_${event.toLowerCase()}`)}
            AFTER ${sql.raw(event)} ON ${sql.table(table)}
            BEGIN
              INSERT INTO change_log (topic, created) VALUES (${sql.lit(table)}, CAST(strftime('%s', 'now') AS INTEGER));
            END`.execute(db);
        }
      }
    },
    async down(db: Kysely<any>): Promise<void> {
      if (engine === 'sqlite') {
        for (const table of LOGGED_TABLES) {
          for (const event of ['insert', 'update', 'delete']) await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_log_${event}`)}`.execute(db);
        }
      }
      await db.schema.dropTable('change_log').execute();
    },
  };
}
