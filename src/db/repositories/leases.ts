import type { Db } from '../client.js';

/**
 * Named leases with an expiry: `acquire` succeeds when nobody holds the name, the holder's
 * lease ran out, or the caller already holds it, so a crashed holder never blocks the others
 * for longer than its lease. Expiry times are ISO-8601 text (fixed width, so text order is time
 * order) from the caller's clock: instances should keep their clocks in step (NTP).
 */
export class LeaseRepository {
  constructor(private readonly db: Db) {}

  /**
   * One statement, race-free on both engines: an insert, or on conflict an update guarded by
   * "expired or mine". PostgreSQL locks the conflicting row and re-checks the guard against the
   * latest committed version (also under READ COMMITTED); SQLite serialises writers. The row
   * comes back only when this caller now holds the lease.
   */
  async acquire(name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    const row = await this.db
      .insertInto('leases')
      .values({ name, holder, expires_at: expires })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: expires })
          .where((eb) => eb.or([eb('leases.expires_at', '<=', now.toISOString()), eb('leases.holder', '=', holder)])),
      )
      .returning('holder')
      .executeTakeFirst();
    return row !== undefined;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  /** Who holds the lease now, if anyone (an expired lease counts as free). */
  async holder(name: string, now = new Date()): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('leases')
      .select('holder')
      .where('name', '=', name)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return row?.holder;
  }
}
