import type { Kysely, Migration } from 'kysely';
import { sql } from '../kysely.js';
import type { Engine } from '../client.js';

/**
 * PostgreSQL only: WebDAV locks join the notified tables, so every instance can keep a copy of
 * the (few) unexpired locks and check writes against it without a query. Uses the notify
 * function created by 20261123010000_change_notify.
 */
export function davLocksNotify(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (engine !== 'postgres') return;
      await sql`
        CREATE TRIGGER dav_locks_notify_change
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dav_locks
        FOR EACH STATEMENT EXECUTE FUNCTION filebridge_notify_change()`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      if (engine !== 'postgres') return;
      await sql`DROP TRIGGER IF EXISTS dav_locks_notify_change ON dav_locks`.execute(db);
    },
  };
}
