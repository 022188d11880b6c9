import { close, constants as fsc, fstat, open, type Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

// Raw descriptors through the callback API: lighter than FileHandle objects on these hot paths
// (every stat, read and write holds one or two), and never closed behind our back by the GC.
const openFd = promisify(open);
const fstatFd = promisify(fstat);

/**
 * Linux's O_PATH: a descriptor that names an inode without opening it for I/O. Opening one runs
 * no device or FIFO open routine, so following a path to an object outside the root has no side
 * effect before the descriptor is checked. Not in Node's constants; its value is the same on
 * every architecture Node ships for.
 */
export const O_PATH = 0o10000000;
/** A folder, symlinks on the way followed. */
export const DIR = O_PATH | fsc.O_DIRECTORY;
/** A folder named by its final component, never a symlink there. */
export const DIR_NOFOLLOW = DIR | fsc.O_NOFOLLOW;
/** Whatever the final component is, the symlink itself included. */
export const ANY_NOFOLLOW = O_PATH | fsc.O_NOFOLLOW;

/** The magic link naming an open descriptor: resolving it cannot be redirected by any rename. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/**
 * An O_PATH descriptor and the host path it was verified (or derived) to have when opened.
 * `path` names exactly the object opened, and `at(name)` a name inside it: a later swap of any
 * folder on the way cannot redirect an operation made through them.
 */
export class Held {
  readonly path: string;
  private closed = false;

  constructor(
    private readonly fd: number,
    /** Host path at open time: read back from the kernel, or its verified parent's joined with a name. */
    readonly real: string,
    /** Stats taken when it was opened, when asked for. */
    readonly opened?: Stats,
  ) {
    this.path = fdPath(fd);
  }

  /** A name inside this folder, anchored to the descriptor (never `..`: callers pass checked names). */
  at(name: string): string {
    return `${this.path}/${name}`;
  }

  stat(): Promise<Stats> {
    return this.opened ? Promise.resolve(this.opened) : fstatFd(this.fd);
  }

  /** Starts closing; nothing waits for it (the descriptor is not used again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd, () => undefined);
  }
}

/** The descriptors one operation holds; closed together when it ends, whatever happened. */
export class Handles {
  private readonly held: Held[] = [];

  add(h: Held): Held {
    this.held.push(h);
    return h;
  }

  /** Closes every descriptor held (without waiting: none is used again). */
  close(): void {
    for (const h of this.held.splice(0)) h.close();
  }
}

/** The kernel's path of an open descriptor; undefined when it is not a plain host path. */
export async function realOf(fd: number): Promise<string | undefined> {
  const seen = await readlink(fdPath(fd));
  return path.isAbsolute(seen) ? seen : undefined;
}

export interface HoldOptions {
  /** The host path, when the caller knows it (a name opened without following inside a held folder). */
  known?: string;
  /** Also fstat the descriptor (alongside reading its path back). */
  stat?: boolean;
}

/**
 * Opens `p` with O_PATH `flags` and reads back where the descriptor really is (real "" when that
 * is not a plain host path), unless `known` says so already.
 */
export async function hold(p: string, flags: number, bag: Handles, opts: HoldOptions = {}): Promise<Held> {
  const fd = await openFd(p, flags);
  try {
    const [real, st] = await Promise.all([
      opts.known ?? realOf(fd).then((r) => r ?? ''),
      opts.stat ? fstatFd(fd) : undefined,
    ]);
    return bag.add(new Held(fd, real, st));
  } catch (err) {
    close(fd, () => undefined);
    throw err;
  }
}
