import { sql } from '../db/kysely.js';
import type { Database } from '../db/client.js';
import { type MigrationStep, migrateToLatest } from '../db/migrate.js';

/** pg_advisory_lock key of "filebridge migrations" (any constant; kysely's own lock uses another). */
export const MIGRATION_LOCK_KEY = 4_735_001_731_902n;

/**
 * Applies pending migrations; on PostgreSQL under a session advisory lock held on the very
 * connection that migrates, so instances starting at once run them one after the other (the
 * later ones find nothing left to do). The lock goes with the connection if the process dies.
 */
export async function migrateExclusively(database: Database): Promise<MigrationStep[]> {
  if (database.engine !== 'postgres') return migrateToLatest(database);
  return database.db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    try {
      return await migrateToLatest({ ...database, db: conn });
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    }
  });
}
