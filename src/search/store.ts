import type { Db, Engine } from '../db/client.js';
import { sql } from '../db/kysely.js';
import { baseName, joinPath, parentPath } from '../core/paths.js';
import { charCount, foldName } from './fold.js';
import { parentWithin, treeAt } from './ranges.js';
import type { IndexedEntry, SearchDb, SearchNodesTable } from './tables.js';

/** Rows per insert statement (8 parameters each, well under SQLite's limit). */
const CHUNK = 400;

export interface StoredChild {
  name: string;
  isDir: boolean;
  size: number;
  modified: string | null;
}

function row(storageId: number, e: IndexedEntry): Omit<SearchNodesTable, 'id'> {
  return {
    storage_id: storageId,
    parent: e.parent,
    name: e.name,
    key: foldName(e.name),
    is_dir: e.isDir ? 1 : 0,
    size: e.isDir ? 0 : e.size,
    modified: e.modified ? e.modified.toISOString() : null,
  };
}

/**
 * The indexed entries (`search_nodes`) on either engine: every change is a few guarded statements
 * keyed by virtual path, so changes told twice, or a crawl redone after a restart, leave the same
 * rows. Searching is in query.ts.
 */
export class SearchStore {
  readonly db: SearchDb;

  constructor(db: Db, readonly engine: Engine) {
    this.db = db as unknown as SearchDb;
  }

  /** Adds or updates entries (one storage's), in chunks. */
  async put(storageId: number, entries: readonly IndexedEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const rows = entries.slice(i, i + CHUNK).map((e) => row(storageId, e));
      await this.db
        .insertInto('search_nodes')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['parent', 'name']).doUpdateSet((eb) => ({
            storage_id: eb.ref('excluded.storage_id'),
            key: eb.ref('excluded.key'),
            is_dir: eb.ref('excluded.is_dir'),
            size: eb.ref('excluded.size'),
            modified: eb.ref('excluded.modified'),
          })),
        )
        .execute();
    }
  }

  /** Adds entries not indexed yet, leaving indexed ones as they are (the folders above a new file). */
  async putMissing(storageId: number, entries: readonly IndexedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db
      .insertInto('search_nodes')
      .values(entries.map((e) => row(storageId, e)))
      .onConflict((oc) => oc.columns(['parent', 'name']).doNothing())
      .execute();
  }

  /** What is indexed directly in the folder `parent`, from one storage. */
  async children(storageId: number, parent: string): Promise<StoredChild[]> {
    const rows = await this.db
      .selectFrom('search_nodes')
      .select(['name', 'is_dir', 'size', 'modified'])
      .where('storage_id', '=', storageId)
      .where('parent', '=', parent)
      .execute();
    return rows.map((r) => ({ name: r.name, isDir: r.is_dir === 1, size: Number(r.size), modified: r.modified }));
  }

  /** Forgets the entry at `path` and everything below it. */
  async removeTree(path: string): Promise<void> {
    if (path === '/') return this.clear();
    await this.db.deleteFrom('search_nodes').where(treeAt(parentPath(path), baseName(path), path)).execute();
  }

  /** Forgets everything below the folder `path` (not the folder itself) served by other storages than `keep`. */
  async removeBelowExcept(path: string, keep: number): Promise<void> {
    await this.db.deleteFrom('search_nodes').where(parentWithin(path)).where('storage_id', '<>', keep).execute();
    if (path !== '/') await this.db.deleteFrom('search_nodes').where('parent', '=', parentPath(path)).where('name', '=', baseName(path)).where('storage_id', '<>', keep).execute();
  }

  /** Forgets names of the folder `parent` (their subtrees too). */
  async removeNames(parent: string, names: readonly string[]): Promise<void> {
    for (const name of names) await this.removeTree(joinPath(parent, name));
  }

  /** The tree at `from` is now at `to`, served by `storageId`. */
  async moveTree(from: string, to: string, storageId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('search_nodes').where(treeAt(parentPath(to), baseName(to), to)).execute();
      await trx
        .updateTable('search_nodes')
        .set({ parent: sql<string>`cast(${to} as text) || substr(parent, ${charCount(from) + 1})`, storage_id: storageId })
        .where(parentWithin(from))
        .execute();
      await trx
        .updateTable('search_nodes')
        .set({ parent: parentPath(to), name: baseName(to), key: foldName(baseName(to)), storage_id: storageId })
        .where('parent', '=', parentPath(from))
        .where('name', '=', baseName(from))
        .execute();
    });
  }

  /** The tree at `from` was copied to `to`, served by `storageId`. */
  async copyTree(from: string, to: string, storageId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('search_nodes').where(treeAt(parentPath(to), baseName(to), to)).execute();
      await sql`INSERT INTO search_nodes (storage_id, parent, name, key, is_dir, size, modified)
        SELECT cast(${storageId} as integer), cast(${to} as text) || substr(parent, ${charCount(from) + 1}), name, key, is_dir, size, modified
        FROM search_nodes WHERE ${parentWithin(from)}`.execute(trx);
      await sql`INSERT INTO search_nodes (storage_id, parent, name, key, is_dir, size, modified)
        SELECT cast(${storageId} as integer), cast(${parentPath(to)} as text), cast(${baseName(to)} as text), cast(${foldName(baseName(to))} as text), is_dir, size, modified
        FROM search_nodes WHERE parent = ${parentPath(from)} AND name = ${baseName(from)}`.execute(trx);
    });
  }

  async clearStorage(storageId: number): Promise<void> {
    await this.db.deleteFrom('search_nodes').where('storage_id', '=', storageId).execute();
  }

  async clear(): Promise<void> {
    await this.db.deleteFrom('search_nodes').execute();
  }

  /** Indexed entries, of the given storages when named. */
  async count(storages?: readonly number[]): Promise<number> {
    if (storages?.length === 0) return 0;
    let q = this.db.selectFrom('search_nodes').select((eb) => eb.fn.countAll<number | string>().as('n'));
    if (storages) q = q.where('storage_id', 'in', storages);
    const r = await q.executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
