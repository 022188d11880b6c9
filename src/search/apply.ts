import type { VEntry } from '../core/entries.js';
import { baseName, parentPath } from '../core/paths.js';
import { type IndexConfig, depthOf, ignored } from './config.js';
import type { SearchStore } from './store.js';
import type { IndexedEntry } from './tables.js';

/** What the index is told about the mounts: which paths are mount points, and which storage serves them. */
export interface MountView {
  id: number;
  path: string;
  /** Answering (ready or degraded): a crawl waits while it is not. */
  ready: boolean;
}

export function indexed(e: VEntry): IndexedEntry {
  return { parent: parentPath(e.path), name: e.name, isDir: e.isDir, size: e.size, modified: e.mtime };
}

/** Whether entries at `path` are indexed: not ignored, not deeper than the limit. */
export function indexable(config: IndexConfig, path: string, limit: number): boolean {
  return depthOf(path) <= limit && !ignored(config, path);
}

function same(stored: { isDir: boolean; size: number; modified: string | null }, e: VEntry): boolean {
  return stored.isDir === e.isDir && (e.isDir || stored.size === e.size) && stored.modified === (e.mtime ? e.mtime.toISOString() : null);
}

/**
 * Makes the index's copy of the folder `dir` (served by `storageId`) what its listing says:
 * adds and updates entries, forgets vanished ones with their subtrees. Mount points of other
 * storages, ignored paths and entries deeper than `limit` are left out. Returns the subfolders
 * kept (for a crawl to go on with).
 */
export async function applyListing(
  store: SearchStore,
  at: { storageId: number; dir: string; limit: number; mountPaths: ReadonlySet<string> },
  entries: readonly VEntry[],
  config: IndexConfig,
): Promise<VEntry[]> {
  const keep = entries.filter((e) => !e.virtual && !at.mountPaths.has(e.path) && indexable(config, e.path, at.limit));
  const stored = await store.children(at.storageId, at.dir);
  const byName = new Map(stored.map((s) => [s.name, s]));
  const names = new Set(keep.map((e) => e.name));
  const vanished = stored.filter((s) => !names.has(s.name)).map((s) => s.name);
  const changed = keep.filter((e) => {
    const s = byName.get(e.name);
    return !s || !same(s, e);
  });
  await store.removeNames(at.dir, vanished);
  await store.put(at.storageId, changed.map(indexed));
  return keep.filter((e) => e.isDir);
}

/** The folders from a mount's root down to `dir`, as entries (for a new file's parents). */
export function foldersDown(mountPath: string, dir: string): IndexedEntry[] {
  const out: IndexedEntry[] = [];
  for (let d = dir; d !== '/' && d.length >= mountPath.length; d = parentPath(d)) {
    out.push({ parent: parentPath(d), name: baseName(d), isDir: true, size: 0 });
    if (d === mountPath) break;
  }
  return out;
}
