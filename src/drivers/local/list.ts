import type { Dirent, Stats } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { FsError } from '../../core/errors.js';
import type { Entry } from '../../core/storage/index.js';
import { errnoOf, TEMP_DIR_NAME, type RootGuard } from './containment.js';
import { Handles, type Held, hold, O_PATH } from './handles.js';
import { localError } from './local.errors.js';

/** Entries stat-ed concurrently per batch: bounded, yet fast for folders of many thousands. */
const STAT_BATCH = 128;

export interface ListOptions {
  guard: RootGuard;
  /** The folder being listed, held and verified inside the root: names and stats come through it. */
  dir: Held;
  /** It is the storage root (where the temp folder lives). */
  isRoot: boolean;
  rel: string;
  showHidden: boolean;
  signal?: AbortSignal;
}

/** The Entry for a stat result; only folders and regular files are entries. */
export function toEntry(name: string, st: Stats): Entry {
  const entry: Entry = { name, isDir: st.isDirectory(), size: st.isDirectory() ? 0 : st.size, mtime: st.mtime };
  if (st.birthtimeMs > 0) entry.ctime = st.birthtime;
  return entry;
}

/**
 * Stats one directory entry. Symlinks are followed only when their real target is inside the root
 * (and not the temp folder); links leading out, broken links, and anything that is neither a file
 * nor a folder (sockets, FIFOs, devices) are omitted. Entries that vanish meanwhile are omitted.
 */
async function entryFor(d: Dirent, opts: ListOptions): Promise<Entry | undefined> {
  const full = opts.dir.at(d.name);
  try {
    let st = await lstat(full);
    if (st.isSymbolicLink()) {
      const followed = await statThroughLink(full, opts.guard);
      if (followed === undefined) return undefined;
      st = followed;
    }
    if (!st.isFile() && !st.isDirectory()) return undefined;
    return toEntry(d.name, st);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw localError(err, 'list', opts.rel);
  }
}

/**
 * Stats what a symlink leads to, from a descriptor whose real path is checked first (so a link
 * swapped after the check cannot report an outside object). Undefined when it leads out or is broken.
 */
async function statThroughLink(link: string, guard: RootGuard): Promise<Stats | undefined> {
  const bag = new Handles();
  try {
    const h = await hold(link, O_PATH, bag, { stat: true }).catch(() => undefined);
    if (h === undefined || !(await guard.allowed(h.real))) return undefined;
    return await h.stat();
  } finally {
    bag.close();
  }
}

function visible(name: string, opts: ListOptions, isRoot: boolean): boolean {
  if ((isRoot && name === TEMP_DIR_NAME) || name.startsWith(`${TEMP_DIR_NAME}-`)) return false;
  return opts.showHidden || !name.startsWith('.');
}

/** Lists one folder, reading it incrementally and stat-ing entries in bounded concurrent batches. */
export async function* listFolder(opts: ListOptions): AsyncGenerator<Entry> {
  const isRoot = opts.isRoot;
  let dir;
  try {
    // Through the held descriptor: the folder verified, not whatever its path names by now.
    dir = await opendir(opts.dir.path, { bufferSize: STAT_BATCH });
  } catch (err) {
    throw localError(err, 'list', opts.rel);
  }
  try {
    let done = false;
    while (!done) {
      if (opts.signal?.aborted) throw new FsError('aborted', `list "/${opts.rel}": aborted`);
      const batch: Dirent[] = [];
      while (batch.length < STAT_BATCH) {
        const d = await dir.read();
        if (d === null) {
          done = true;
          break;
        }
        if (visible(d.name, opts, isRoot)) batch.push(d);
      }
      const entries = await Promise.all(batch.map((x) => entryFor(x, opts)));
      for (const e of entries) if (e) yield e;
    }
  } catch (err) {
    throw localError(err, 'list', opts.rel);
  } finally {
    await dir.close().catch(() => undefined);
  }
}
