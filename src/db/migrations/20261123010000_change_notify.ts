import type { Kysely, Migration } from 'kysely';
import { sql } from '../kysely.js';
import type { Engine } from '../client.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

/** The NOTIFY channel every instance LISTENs on; the payload is the changed table's name. */
export const CHANGE_CHANNEL = 'filebridge_changes';

/** Tables whose changes other instances must hear about (they keep copies or caches of them). */
export const NOTIFIED_TABLES = ['storages', 'settings', 'metas', 'users', 'api_tokens', 'revoked_sessions'] as const;

/**
 * PostgreSQL only (nothing on SQLite): statement-level triggers that `pg_notify` the table name
 * after every insert, update, delete or truncate, whoever wrote it (a server, the CLI, psql).
 * Notifications are sent at commit and merged per transaction.
 */
export function changeNotify(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (engine !== 'postgres') return;
      await sql`
        CREATE OR REPLACE FUNCTION filebridge_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify(${sql.lit(CHANGE_CHANNEL)}, TG_TABLE_NAME);
          RETURN NULL;
        END $$`.execute(db);
      for (const table of NOTIFIED_TABLES) {
        await sql`
          CREATE TRIGGER ${sql.id(`${table}_notify_change`)}
          AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(table)}
          FOR EACH STATEMENT EXECUTE FUNCTION filebridge_notify_change()`.execute(db);
      }
    },
    async down(db: Kysely<any>): Promise<void> {
      if (engine !== 'postgres') return;
      for (const table of NOTIFIED_TABLES) {
        await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_notify_change`)} ON ${sql.table(table)}`.execute(db);
      }
      await sql`DROP FUNCTION IF EXISTS filebridge_notify_change()`.execute(db);
    },
  };
}
