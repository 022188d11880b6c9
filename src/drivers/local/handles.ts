import { closeSync, constants as fsc, fstat, open, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// Raw descriptors through the callback API: lighter than FileHandle objects on these hot paths
// (every stat, read and write holds one or two), and never closed behind our back by the GC.
// Two calls on them are made in place rather than through the thread pool, since neither can
// wait on a disk or a network: closing an O_PATH descriptor (no open file behind it, nothing to
// flush) and reading its /proc/self/fd link (answered from the kernel's memory). Each took a
// thread-pool round trip (a wake-up of a pool thread and of the event loop) that cost the event
// loop many times the call itself: with them, a small upload made a dozen such trips.
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

  /** Whether the object is still where it was opened (not renamed or removed since); no I/O. */
  stillThere(): boolean {
    try {
      return realOf(this.fd) === this.real;
    } catch {
      return false;
    }
  }

  stat(): Promise<Stats> {
    return this.opened ? Promise.resolve(this.opened) : fstatFd(this.fd);
  }

  /** Closes the descriptor (an O_PATH one: no I/O, see above). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // EBADF or EINTR: the descriptor is gone either way.
    }
  }
}

/** The descriptors one operation holds; closed together when it ends, whatever happened. */
export class Handles {
  private readonly held: Held[] = [];

  add(h: Held): Held {
    this.held.push(h);
    return h;
  }

  /** Closes every descriptor held. */
  close(): void {
    for (const h of this.held.splice(0)) h.close();
  }
}

/**
 * A held folder several operations share (the temp folder across uploads): each one in flight
 * holds a lease, and the descriptor is closed only once it is retired and the last lease is given
 * back, since paths made with `at()` go through it until then.
 */
export class SharedHeld {
  private leases = 0;
  private retired = false;

  constructor(
    readonly held: Held,
    private readonly bag: Handles,
  ) {}

  /** A lease on the folder; undefined once it is retired (take the current one instead). */
  lease(): { dir: Held; release: () => void } | undefined {
    if (this.retired) return undefined;
    this.leases++;
    let released = false;
    return {
      dir: this.held,
      release: () => {
        if (released) return;
        released = true;
        this.leases--;
        this.closeWhenDone();
      },
    };
  }

  /** No new leases after this; closes once the last one is given back. */
  retire(): void {
    this.retired = true;
    this.closeWhenDone();
  }

  private closeWhenDone(): void {
    if (this.retired && this.leases === 0) this.bag.close();
  }
}

/** The kernel's path of an open descriptor ('' when it is not a plain host path); no I/O, see above. */
export function realOf(fd: number): string {
  const seen = readlinkSync(fdPath(fd));
  return path.isAbsolute(seen) ? seen : '';
}

export interface HoldOptions {
  /** The host path, when the caller knows it (a name opened without following inside a held folder). */
  known?: string;
  /** Also fstat the descriptor (alongside reading its path back). */
  stat?: boolean;
}

/**
 * Opens `p` with O_PATH and `flags` and reads back where the descriptor really is (real "" when
 * that is not a plain host path), unless `known` says so already.
 */
export async function hold(p: string, flags: number, bag: Handles, opts: HoldOptions = {}): Promise<Held> {
  const fd = await openFd(p, flags | O_PATH);
  try {
    const real = opts.known ?? realOf(fd);
    const st = opts.stat ? await fstatFd(fd) : undefined;
    return bag.add(new Held(fd, real, st));
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Gone either way.
  }
}
