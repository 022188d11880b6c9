import { lstat, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { FsError } from '../../core/errors.js';
import { localError } from './local.errors.js';

/** Hidden folder at the storage root holding in-flight uploads (same file system, so rename is atomic). */
export const TEMP_DIR_NAME = '.filebridge-tmp';

/** Where a new entry would go: its host path (built on real paths) and what is there now. */
export interface NewTarget {
  /** Host path to create; its existing ancestors are real paths inside the root. */
  target: string;
  /** Stats of what the path already names (symlinks followed), if anything. */
  existing?: Stats;
  /** The target's parent folder is known to exist. */
  parentExists?: boolean;
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

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Keeps every operation inside the storage root, symlinks included. Paths from core are already
 * normalised; this is defence in depth: `..`, `.` and empty segments are refused, and every host
 * path is checked by its real path against the real path of the root.
 */
export class RootGuard {
  private realRootValue: string | undefined;

  constructor(readonly root: string) {}

  /** The root's real path, resolved once it exists. */
  async realRoot(): Promise<string> {
    if (this.realRootValue !== undefined) return this.realRootValue;
    let real: string;
    try {
      real = await realpath(this.root);
    } catch (err) {
      throw new FsError('not_found', `root folder ${this.root} does not exist`, { cause: err });
    }
    const st = await stat(real);
    if (!st.isDirectory()) throw new FsError('not_found', `root folder ${this.root} is not a folder`);
    this.realRootValue = real;
    return real;
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
  async check(real: string, rel: string, onTemp: 'not_found' | 'invalid_path'): Promise<void> {
    const root = await this.realRoot();
    if (!isInside(real, root)) {
      throw new FsError('permission_denied', `"/${rel}" resolves outside the storage root`);
    }
    if (isReserved(real, root)) {
      throw new FsError(onTemp, onTemp === 'not_found' ? `"/${rel}": no such file or folder` : `"/${rel}": reserved name`);
    }
  }

  /** True when a real path may be shown (inside the root, not the temp folder). */
  async allowed(real: string): Promise<boolean> {
    const root = await this.realRoot();
    return isInside(real, root) && !isReserved(real, root);
  }

  /** Real path of an existing entry, symlinks followed, inside the root. */
  async existing(rel: string, op: string): Promise<string> {
    const segs = this.segments(rel);
    const root = await this.realRoot();
    let real: string;
    try {
      real = await realpath(path.join(root, ...segs));
    } catch (err) {
      if (errnoOf(err) === 'ENOTDIR') throw localError({ code: 'ENOENT' }, op, rel);
      throw localError(err, op, rel);
    }
    await this.check(real, rel, 'not_found');
    return real;
  }

  /**
   * Host path of the entry itself, NOT following a final symlink (for remove and move): the real
   * parent joined with the name. The root itself is refused.
   */
  async entryPath(rel: string, op: string): Promise<string> {
    const segs = this.segments(rel);
    const name = segs.pop();
    if (name === undefined) throw new FsError('permission_denied', `cannot ${op} the storage root`);
    const parent = await this.existing(segs.join('/'), op);
    const target = path.join(parent, name);
    await this.check(target, rel, 'not_found');
    return target;
  }

  /**
   * Where a new entry at `rel` goes: walks up to the nearest existing ancestor, checks its real
   * path, and builds the target on it. A broken symlink on the way is refused; an ancestor that is
   * a file gives not_a_directory.
   */
  async creatable(rel: string, op: string): Promise<NewTarget> {
    const segs = this.segments(rel);
    const root = await this.realRoot();
    const fast = await this.inExistingParent(segs, root, rel, op);
    if (fast) return fast;
    for (let i = segs.length; i >= 0; i--) {
      const candidate = path.join(root, ...segs.slice(0, i));
      const real = await this.realOrUndefined(candidate, rel, op);
      if (real === undefined) continue;
      await this.check(real, rel, 'invalid_path');
      const st = await stat(real).catch((err: unknown) => {
        throw localError(err, op, rel);
      });
      if (i === segs.length) return { target: real, existing: st };
      if (!st.isDirectory()) throw new FsError('not_a_directory', `${op} "/${rel}": a parent is not a folder`);
      const target = path.join(real, ...segs.slice(i));
      await this.check(target, rel, 'invalid_path');
      return { target };
    }
    throw new FsError('not_found', `${op} "/${rel}": storage root is missing`);
  }

  /**
   * The common case in two calls: the parent exists (real path checked) and the entry itself is
   * looked at without following it. Undefined sends the caller to the full walk.
   */
  private async inExistingParent(segs: string[], root: string, rel: string, op: string): Promise<NewTarget | undefined> {
    const name = segs[segs.length - 1];
    if (name === undefined) return undefined;
    let parent: string;
    try {
      parent = await realpath(path.join(root, ...segs.slice(0, -1)));
    } catch {
      return undefined;
    }
    await this.check(parent, rel, 'invalid_path');
    const target = path.join(parent, name);
    await this.check(target, rel, 'invalid_path');
    let st: Stats;
    try {
      st = await lstat(target);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT') return { target, parentExists: true };
      if (code === 'ENOTDIR') throw new FsError('not_a_directory', `${op} "/${rel}": a parent is not a folder`);
      throw localError(err, op, rel);
    }
    if (st.isSymbolicLink()) return undefined;
    return { target, existing: st, parentExists: true };
  }

  private async realOrUndefined(candidate: string, rel: string, op: string): Promise<string | undefined> {
    try {
      return await realpath(candidate);
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw localError(err, op, rel);
    }
    const link = await lstat(candidate).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      throw new FsError('permission_denied', `${op} "/${rel}": path goes through a broken symbolic link`);
    }
    return undefined;
  }
}
