import { lstat, mkdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { FsError } from '../../core/errors.js';
import { localError } from './local.errors.js';
import { DIR, DIR_NOFOLLOW, Handles, type Held, hold, O_PATH } from './handles.js';

/** Hidden folder at the storage root holding in-flight uploads (same file system, so rename is atomic). */
export const TEMP_DIR_NAME = '.filebridge-tmp';

/**
 * Where a new entry goes: a held, verified folder, the folders still to make below it, and the
 * name. Operations act on `dir` through its descriptor, so no swap on the way can redirect them.
 */
export interface Place {
  dir: Held;
  /** Folders to create below `dir`, in order, before `name`. */
  rest: string[];
  /** The final name ("" when the place is the root itself). */
  name: string;
  /** What the path names now (a symlink inside the root followed), if anything. */
  existing?: Stats;
  /** Host path the entry has (or will have). */
  real: string;
}

/** An existing entry named by its folder and its name, the name itself not followed. */
export interface EntryRef {
  dir: Held;
  name: string;
  real: string;
}

/** True when `child` is `base` or lies below it (host paths, already resolved). */
export function isInside(child: string, base: string): boolean {
  const rel = path.relative(base, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

/** The temp folder and everything in it, and sibling temp names used by cross-device commits. */
function isReserved(real: string, root: string): boolean {
  return isInside(real, path.join(root, TEMP_DIR_NAME)) || path.basename(real).startsWith(`${TEMP_DIR_NAME}-`);
}

export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Keeps every operation inside the storage root, symlinks included, without a gap between check
 * and use: each path is opened as an O_PATH descriptor, the descriptor's real path is read back
 * from /proc/self/fd and checked against the root, and the operation then goes through that
 * descriptor. Symlinks that stay inside the root are followed; any leading out is refused.
 * Paths from core are already normalised; `..`, `.` and empty segments are refused here too.
 */
export class RootGuard {
  private realRootValue: string | undefined;

  constructor(readonly root: string) {}

  /** The root's real path, resolved (and /proc checked to work) once it exists. */
  async realRoot(): Promise<string> {
    if (this.realRootValue !== undefined) return this.realRootValue;
    if (process.platform !== 'linux') {
      throw new FsError('not_supported', 'the Local driver needs Linux (/proc/self/fd) to keep operations inside its root');
    }
    let real: string;
    try {
      real = await realpath(this.root);
    } catch (err) {
      throw new FsError('not_found', `root folder ${this.root} does not exist`, { cause: err });
    }
    const st = await stat(real);
    if (!st.isDirectory()) throw new FsError('not_found', `root folder ${this.root} is not a folder`);
    await this.probe(real);
    this.realRootValue = real;
    return real;
  }

  /** Fails closed when descriptors' paths cannot be read back (no /proc). */
  private async probe(real: string): Promise<void> {
    const bag = new Handles();
    try {
      const h = await hold(real, DIR, bag);
      if (h.real === real) return;
    } catch (err) {
      throw new FsError('storage_unavailable', `root folder ${this.root}: cannot check open folders through /proc/self/fd`, { cause: err });
    } finally {
      bag.close();
    }
    throw new FsError('storage_unavailable', `root folder ${this.root}: /proc/self/fd does not report open folders' paths`);
  }

  /** Splits and checks a driver-relative path; "" is the root. */
  segments(rel: string): string[] {
    if (rel === '') return [];
    const segs = rel.split('/');
    for (const seg of segs) {
      if (seg === '' || seg === '.' || seg === '..' || seg.includes('\0')) {
        throw new FsError('invalid_path', `invalid path "/${rel}": it must not contain empty, "." or ".." segments`);
      }
    }
    return segs;
  }

  /** Refuses a real path outside the root or inside the temp folder. */
  private verify(real: string, root: string, rel: string, onTemp: 'not_found' | 'invalid_path'): void {
    if (real === '' || !isInside(real, root)) {
      throw new FsError('permission_denied', `"/${rel}" resolves outside the storage root`);
    }
    if (isReserved(real, root)) {
      throw new FsError(onTemp, onTemp === 'not_found' ? `"/${rel}": no such file or folder` : `"/${rel}": reserved name`);
    }
  }

  /** True when a real path may be shown (inside the root, not the temp folder). */
  async allowed(real: string): Promise<boolean> {
    const root = await this.realRoot();
    return real !== '' && isInside(real, root) && !isReserved(real, root);
  }

  /**
   * A held descriptor of an existing entry, symlinks followed, verified inside the root; `stat`
   * takes its stats alongside (`Held.stat()` then costs nothing).
   */
  async open(rel: string, op: string, bag: Handles, opts: { flags?: number; stat?: boolean } = {}): Promise<Held> {
    const segs = this.segments(rel);
    const root = await this.realRoot();
    let h: Held;
    try {
      h = await hold(path.join(root, ...segs), opts.flags ?? O_PATH, bag, { stat: opts.stat ?? false });
    } catch (err) {
      if (errnoOf(err) === 'ENOTDIR') throw localError({ code: 'ENOENT' }, op, rel);
      throw localError(err, op, rel);
    }
    this.verify(h.real, root, rel, 'not_found');
    return h;
  }

  /**
   * The entry itself, NOT following a final symlink (for remove and move): its held, verified
   * folder and its name. The root itself is refused.
   */
  async entry(rel: string, op: string, bag: Handles): Promise<EntryRef> {
    const segs = this.segments(rel);
    const name = segs.pop();
    if (name === undefined) throw new FsError('permission_denied', `cannot ${op} the storage root`);
    const parent = segs.join('/');
    let dir: Held;
    try {
      dir = await this.open(parent, op, bag, { flags: DIR });
    } catch (err) {
      // A parent that is a file (rather than missing) says so.
      if (!(err instanceof FsError) || err.code !== 'not_found') throw err;
      const st = await this.open(parent, op, bag, { stat: true }).then((h) => h.stat(), () => undefined);
      if (st && !st.isDirectory()) throw localError({ code: 'ENOTDIR' }, op, rel);
      throw err;
    }
    const real = path.join(dir.real, name);
    this.verify(real, await this.realRoot(), rel, 'not_found');
    return { dir, name, real };
  }

  /**
   * Where a new entry at `rel` goes: holds the nearest existing ancestor, checks its real path,
   * and looks at what the name holds now (unless `look` is false: the caller will find out by
   * trying). A broken symlink on the way is refused; an ancestor that is a file gives not_a_directory.
   */
  async place(rel: string, op: string, bag: Handles, opts: { look?: boolean } = {}): Promise<Place> {
    const segs = this.segments(rel);
    const root = await this.realRoot();
    const name = segs.pop();
    if (name === undefined) {
      const dir = await this.open('', op, bag, { flags: DIR, stat: true });
      return { dir, rest: [], name: '', existing: await dir.stat(), real: root };
    }
    for (let i = segs.length; i >= 0; i--) {
      const dir = await this.ancestor(path.join(root, ...segs.slice(0, i)), rel, op, bag);
      if (!dir) continue;
      this.verify(dir.real, root, rel, 'invalid_path');
      const rest = segs.slice(i);
      const real = path.join(dir.real, ...rest, name);
      this.verify(real, root, rel, 'invalid_path');
      if (rest.length > 0 || opts.look === false) return { dir, rest, name, real };
      return this.lookAt({ dir, rest, name, real }, root, rel, op, bag);
    }
    throw new FsError('not_found', `${op} "/${rel}": storage root is missing`);
  }

  /**
   * Makes the folders a place still lacks, each through the descriptor of the one above it and
   * held without following, and returns the folder `name` goes into.
   */
  async ensure(place: Place, mode: number, rel: string, op: string, bag: Handles): Promise<Held> {
    let dir = place.dir;
    for (const seg of place.rest) {
      await mkdir(dir.at(seg), { mode }).catch((err: unknown) => {
        if (errnoOf(err) !== 'EEXIST') throw localError(err, op, rel);
      });
      try {
        dir = await hold(dir.at(seg), DIR_NOFOLLOW, bag, { known: path.join(dir.real, seg) });
      } catch (err) {
        const code = errnoOf(err);
        if (code === 'ENOTDIR' || code === 'ELOOP') throw new FsError('not_a_directory', `${op} "/${rel}": a parent is not a folder`);
        throw localError(err, op, rel);
      }
    }
    return dir;
  }

  /** Holds `candidate` when it is an existing folder; undefined when it does not exist. */
  private async ancestor(candidate: string, rel: string, op: string, bag: Handles): Promise<Held | undefined> {
    try {
      return await hold(candidate, DIR, bag);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOTDIR') throw new FsError('not_a_directory', `${op} "/${rel}": a parent is not a folder`);
      if (code !== 'ENOENT') throw localError(err, op, rel);
    }
    const link = await lstat(candidate).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      throw new FsError('permission_denied', `${op} "/${rel}": path goes through a broken symbolic link`);
    }
    return undefined;
  }

  /**
   * What the final name holds. A symlink is followed under containment: the place becomes its
   * target's (so a write goes through a link to a file inside the root, keeping the link).
   */
  private async lookAt(place: Place, root: string, rel: string, op: string, bag: Handles): Promise<Place> {
    const at = place.dir.at(place.name);
    let st: Stats;
    try {
      st = await lstat(at);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return place;
      throw localError(err, op, rel);
    }
    if (!st.isSymbolicLink()) return { ...place, existing: st };
    let target: Held;
    try {
      target = await hold(at, O_PATH, bag, { stat: true });
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw localError(err, op, rel);
      throw new FsError('permission_denied', `${op} "/${rel}": path goes through a broken symbolic link`);
    }
    this.verify(target.real, root, rel, 'invalid_path');
    const existing = await target.stat();
    if (existing.isDirectory()) return { ...place, existing, real: target.real };
    const dir = await this.ancestor(path.dirname(target.real), rel, op, bag);
    if (!dir) throw localError({ code: 'ENOENT' }, op, rel);
    this.verify(dir.real, root, rel, 'invalid_path');
    return { dir, rest: [], name: path.basename(target.real), existing, real: path.join(dir.real, path.basename(target.real)) };
  }
}
