import type { SearchStore } from './store.js';
import type { SearchDb } from './tables.js';

export type CrawlState = 'queued' | 'running' | 'done' | 'stopped' | 'cleared';

export interface MountCrawlState {
  storageId: number;
  mountPath: string;
  state: CrawlState;
  /** Deepest folder depth (segments below `/`) to list; -1 for the `max_index_depth` setting. */
  maxDepth: number;
  startedAt: Date | null;
  doneAt: Date | null;
  /** Folders listed in the current or last crawl. */
  listed: number;
  error: string;
}

export interface FrontierDir {
  path: string;
  depth: number;
}

const date = (s: string | null) => (s ? new Date(s) : null);

/**
 * Each storage's crawl, durable: its state (`search_mounts`) and the folders it has still to list
 * (`search_crawl`). A folder leaves the frontier in the same transaction that records its
 * listing's subfolders, so a crawl stopped at any moment goes on from where it was.
 */
export class CrawlStore {
  private readonly db: SearchDb;

  constructor(store: SearchStore) {
    this.db = store.db;
  }

  async states(): Promise<MountCrawlState[]> {
    const rows = await this.db.selectFrom('search_mounts').selectAll().execute();
    return rows.map((r) => ({
      storageId: r.storage_id,
      mountPath: r.mount_path,
      state: r.state as CrawlState,
      maxDepth: r.max_depth,
      startedAt: date(r.started_at),
      doneAt: date(r.done_at),
      listed: r.listed,
      error: r.error,
    }));
  }

  /**
   * Queues a crawl of a storage starting at the folders `from` (its mount path for all of it):
   * they join the frontier, and the state says queued (a running crawl takes them on).
   */
  async queue(storageId: number, mountPath: string, from: readonly FrontierDir[], maxDepth = -1, now = new Date()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('search_mounts')
        .values({ storage_id: storageId, mount_path: mountPath, state: 'queued', max_depth: maxDepth, started_at: now.toISOString(), done_at: null, listed: 0, error: '' })
        .onConflict((oc) => oc.column('storage_id').doUpdateSet({ mount_path: mountPath, state: 'queued', max_depth: maxDepth, started_at: now.toISOString(), listed: 0, error: '' }))
        .execute();
      if (from.length > 0) {
        await trx
          .insertInto('search_crawl')
          .values(from.map((d) => ({ storage_id: storageId, path: d.path, depth: d.depth })))
          .onConflict((oc) => oc.columns(['storage_id', 'path']).doNothing())
          .execute();
      }
    });
  }

  async setState(storageId: number, state: CrawlState, fields: { error?: string; doneAt?: Date | null } = {}): Promise<void> {
    await this.db
      .updateTable('search_mounts')
      .set({ state, ...(fields.error !== undefined ? { error: fields.error } : {}), ...(fields.doneAt !== undefined ? { done_at: fields.doneAt?.toISOString() ?? null } : {}) })
      .where('storage_id', '=', storageId)
      .execute();
  }

  /** A running crawl found its frontier empty: done (unless it was stopped meanwhile). */
  async finish(storageId: number, now = new Date()): Promise<void> {
    await this.db.updateTable('search_mounts').set({ state: 'done', done_at: now.toISOString() }).where('storage_id', '=', storageId).where('state', '=', 'running').execute();
  }

  /** Records a recurring problem of a running crawl (the crawl goes on). */
  async noteError(storageId: number, error: string): Promise<void> {
    await this.db.updateTable('search_mounts').set({ error }).where('storage_id', '=', storageId).execute();
  }

  /** The next folders of a storage's frontier, shallowest first. */
  async next(storageId: number, limit: number): Promise<FrontierDir[]> {
    return this.db.selectFrom('search_crawl').select(['path', 'depth']).where('storage_id', '=', storageId).orderBy('depth').orderBy('path').limit(limit).execute();
  }

  /** The folder `dir` was listed: it leaves the frontier and its subfolders `more` join it. */
  async listed(storageId: number, dir: string, more: readonly FrontierDir[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < more.length; i += 400) {
        await trx
          .insertInto('search_crawl')
          .values(more.slice(i, i + 400).map((d) => ({ storage_id: storageId, path: d.path, depth: d.depth })))
          .onConflict((oc) => oc.columns(['storage_id', 'path']).doNothing())
          .execute();
      }
      await trx.deleteFrom('search_crawl').where('storage_id', '=', storageId).where('path', '=', dir).execute();
      await trx.updateTable('search_mounts').set((eb) => ({ listed: eb('listed', '+', 1) })).where('storage_id', '=', storageId).execute();
    });
  }

  async dropFrontier(storageId?: number): Promise<void> {
    let q = this.db.deleteFrom('search_crawl');
    if (storageId !== undefined) q = q.where('storage_id', '=', storageId);
    await q.execute();
  }

  async forget(storageId: number): Promise<void> {
    await this.dropFrontier(storageId);
    await this.db.deleteFrom('search_mounts').where('storage_id', '=', storageId).execute();
  }

  /** Every storage's state set to `state` (clear: nothing is crawled until asked). */
  async setAll(state: CrawlState, doneAt: Date | null): Promise<void> {
    await this.db.updateTable('search_mounts').set({ state, done_at: doneAt?.toISOString() ?? null, error: '' }).execute();
  }
}
