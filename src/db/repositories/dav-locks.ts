import type { Kysely } from 'kysely';
import { sql } from '../kysely.js';
import type { Db } from '../client.js';

export interface DavLocksTable {
  token: string;
  root: string;
  depth: string;
  scope: string;
  owner: string;
  timeout_s: number;
  expires_at: number | string | bigint;
  user_id: number;
  created_at: string;
}

export type DavLockDepth = '0' | 'infinity';
export type DavLockScope = 'exclusive' | 'shared';

/** One WebDAV write lock; `root` is an absolute virtual path. */
export interface DavLockRecord {
  token: string;
  root: string;
  depth: DavLockDepth;
  scope: DavLockScope;
  /** The client's DAV:owner element content, as XML. */
  owner: string;
  timeoutSeconds: number;
  expiresAt: Date;
  userId: number;
  createdAt: Date;
}

type Row = { [K in keyof DavLocksTable]: DavLocksTable[K] };

function toRecord(row: Row): DavLockRecord {
  return {
    token: row.token,
    root: row.root,
    depth: row.depth === '0' ? '0' : 'infinity',
    scope: row.scope === 'shared' ? 'shared' : 'exclusive',
    owner: row.owner,
    timeoutSeconds: row.timeout_s,
    expiresAt: new Date(Number(row.expires_at)),
    userId: row.user_id,
    createdAt: new Date(row.created_at),
  };
}

/** WebDAV locks; expired locks are never returned and are pruned on writes. */
export class DavLockRepository {
  private readonly db: Kysely<{ dav_locks: DavLocksTable }>;
  private readonly listeners = new Set<() => void>();

  constructor(db: Db) {
    this.db = db.withTables<{ dav_locks: DavLocksTable }>() as unknown as Kysely<{ dav_locks: DavLocksTable }>;
  }

  /**
   * Calls `listener` after every change of the table made here, and when told of a change made
   * elsewhere (another instance, through {@link changedElsewhere}). Returns the unsubscribe.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Another instance changed the table (PostgreSQL NOTIFY). */
  changedElsewhere(): void {
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Every unexpired lock. */
  async allUnexpired(now = new Date()): Promise<DavLockRecord[]> {
    const rows = await this.db.selectFrom('dav_locks').selectAll().where('expires_at', '>', now.getTime()).execute();
    return rows.map(toRecord);
  }

  async create(lock: DavLockRecord): Promise<void> {
    await this.pruneExpired(new Date());
    await this.db
      .insertInto('dav_locks')
      .values({
        token: lock.token,
        root: lock.root,
        depth: lock.depth,
        scope: lock.scope,
        owner: lock.owner,
        timeout_s: lock.timeoutSeconds,
        expires_at: lock.expiresAt.getTime(),
        user_id: lock.userId,
        created_at: lock.createdAt.toISOString(),
      })
      .execute();
    this.changed();
  }

  async get(token: string, now = new Date()): Promise<DavLockRecord | undefined> {
    const row = await this.db.selectFrom('dav_locks').selectAll().where('token', '=', token).where('expires_at', '>', now.getTime()).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async refresh(token: string, timeoutSeconds: number, now = new Date()): Promise<void> {
    await this.db
      .updateTable('dav_locks')
      .set({ timeout_s: timeoutSeconds, expires_at: now.getTime() + timeoutSeconds * 1000 })
      .where('token', '=', token)
      .execute();
    this.changed();
  }

  async remove(token: string): Promise<boolean> {
    const r = await this.db.deleteFrom('dav_locks').where('token', '=', token).executeTakeFirst();
    const removed = Number(r.numDeletedRows) > 0;
    if (removed) this.changed();
    return removed;
  }

  /** Removes the locks rooted at `path` or below it (the resource was deleted or moved away). */
  async removeTree(path: string): Promise<void> {
    const prefix = path === '/' ? '/' : path + '/';
    await this.db
      .deleteFrom('dav_locks')
      .where((eb) => eb.or([eb('root', '=', path), eb(sql<string>`substr(root, 1, ${prefix.length})`, '=', prefix)]))
      .executeTakeFirst()
      .then((r) => {
        if (Number(r.numDeletedRows) > 0) this.changed();
      });
  }

  async pruneExpired(now: Date): Promise<number> {
    const r = await this.db.deleteFrom('dav_locks').where('expires_at', '<=', now.getTime()).executeTakeFirst();
    const removed = Number(r.numDeletedRows);
    if (removed > 0) this.changed();
    return removed;
  }
}
