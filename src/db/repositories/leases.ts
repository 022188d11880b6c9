import type { Db } from '../client.js';

/**
 * Named leases with an expiry: `acquire` succeeds when nobody holds the name or the holder's
 * lease ran out, so a crashed holder never blocks the others for longer than its lease.
 */
export class LeaseRepository {
  constructor(private readonly db: Db) {}

  async acquire(name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
      if (!row) {
        const inserted = await trx
          .insertInto('leases')
          .values({ name, holder, expires_at: expires })
          .onConflict((oc) => oc.column('name').doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
      }
      if (row.holder !== holder && row.expires_at > now.toISOString()) return false;
      const updated = await trx
        .updateTable('leases')
        .set({ holder, expires_at: expires })
        .where('name', '=', name)
        .where('expires_at', '=', row.expires_at)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    });
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}
