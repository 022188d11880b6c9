import type { Dirent, Stats } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { FsError } from '../../core/errors.js';
import type { Entry } from '../types.js';
import { TEMP_DIR_NAME, type RootGuard } from './containment.js';
import { localError } from './local.errors.js';

/** Entries stat-ed concurrently per batch: bounded, yet fast for folders of many thousands. */
const STAT_BATCH = 128;

export interface ListOptions {
  guard: RootGuard;
  /** Real path of the folder being listed. */
  dirReal: string;
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

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Stats one directory entry. Symlinks are followed only when their real target is inside the root
 * (and not the temp folder); links leading out, broken links, and anything that is neither a file
 * nor a folder (sockets, FIFOs, devices) are omitted. Entries that vanish meanwhile are omitted.
 */
async function entryFor(d: Dirent, opts: ListOptions): Promise<Entry | undefined> {
  const full = path.join(opts.dirReal, d.name);
  try {
    let st = await lstat(full);
    if (st.isSymbolicLink()) {
      const real = await realpath(full).catch(() => undefined);
      if (real === undefined || !(await opts.guard.allowed(real))) return undefined;
      st = await stat(real);
    }
    if (!st.isFile() && !st.isDirectory()) return undefined;
    return toEntry(d.name, st);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw localError(err, 'list', opts.rel);
  }
}

function visible(name: string, opts: ListOptions, isRoot: boolean): boolean {
  if ((isRoot && name === TEMP_DIR_NAME) || name.startsWith(`${TEMP_DIR_NAME}-`)) return false;
  return opts.showHidden || !name.startsWith('.');
}

/** Lists one folder, reading it incrementally and stat-ing entries in bounded concurrent batches. */
export async function* listFolder(opts: ListOptions): AsyncGenerator<Entry> {
  const isRoot = opts.dirReal === (await opts.guard.realRoot());
  let dir;
  try {
    dir = await opendir(opts.dirReal, { bufferSize: STAT_BATCH });
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
