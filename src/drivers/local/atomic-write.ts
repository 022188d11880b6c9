import { close, constants as fsc, createWriteStream, fstat, futimes, open, write } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsError } from '../../core/errors.js';
import { byteCounter } from '../shared/byte-counter.js';
import { isErrnoError, localError } from './local.errors.js';
import { errnoOf, TEMP_DIR_NAME } from './containment.js';
import { DIR_NOFOLLOW, Handles, type Held, hold, SharedHeld } from './handles.js';
import { copyPath, removeTree } from './tree.js';

// Descriptors through the callback API: a small upload makes four calls on its temp file, and
// each costs the event loop about half what a FileHandle's promise method does.
const openFd = promisify(open);
const writeFd = promisify(write);
const futimesFd = promisify(futimes);
const fstatFd = promisify(fstat);
const closeFd = promisify(close);

/** Creates a new temp file (never an existing one) for writing; its descriptor. */
export function createTempFile(tmpFile: string): Promise<number> {
  return openFd(tmpFile, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o666);
}

export interface TempStreamOptions {
  size?: number;
  signal?: AbortSignal;
  /** Storage-relative path, for messages. */
  rel: string;
}


function writeFailure(err: unknown, signal: AbortSignal | undefined, rel: string): FsError {
  if (err instanceof FsError) return err;
  if (signal?.aborted) return new FsError('aborted', `write "/${rel}": aborted`, { cause: err });
  // Errors from the temp file (ENOSPC, EACCES...) keep their meaning; anything else came from the body.
  if (isErrnoError(err) && (err as { syscall?: unknown }).syscall !== undefined) return localError(err, 'write', rel);
  const why = err instanceof Error ? err.message : String(err);
  return new FsError('aborted', `write "/${rel}": upload body failed (${why})`, { cause: err });
}

/**
 * Streams `body` into `tmpFile` (open as `fd`, which this closes) with back-pressure. On any
 * failure (body error, abort, size mismatch, disk error) the temp file is deleted and an FsError
 * is thrown; returns the byte count.
 */
export async function streamToTemp(body: Readable, fd: number, tmpFile: string, opts: TempStreamOptions): Promise<number> {
  const counter = byteCounter(opts.size, opts.rel);
  try {
    if (opts.signal?.aborted) {
      close(fd, () => undefined);
      throw new FsError('aborted', `write "/${opts.rel}": aborted`);
    }
    // The stream owns the descriptor from here: it closes it when it ends or fails.
    const out = createWriteStream(tmpFile, { fd });
    await pipeline(body, counter, out, opts.signal ? { signal: opts.signal } : {});
    if (opts.size !== undefined && counter.bytes() !== opts.size) {
      throw new FsError(
        'invalid_input',
        `write "/${opts.rel}": body has ${counter.bytes()} bytes but ${opts.size} were declared`,
      );
    }
    return counter.bytes();
  } catch (err) {
    await rm(tmpFile, { force: true }).catch(() => undefined);
    throw writeFailure(err, opts.signal, opts.rel);
  }
}

/** What a small write left in its temp file: its size and modification time. */
export interface WrittenFile {
  size: number;
  mtime: Date;
  birthtime?: Date;
}

/**
 * Writes a body already in memory to a new temp file (open as `fd`, which this closes) with one
 * write call, sets the modification time when given, and reads size and times back from the open
 * file. On failure the temp file is removed.
 */
export async function writeBufferToTemp(data: Buffer, fd: number, tmpFile: string, mtime: Date | undefined, rel: string): Promise<WrittenFile> {
  let open: number | undefined = fd;
  try {
    let done = 0;
    while (done < data.length) done += (await writeFd(fd, data, done, data.length - done, done)).bytesWritten;
    if (mtime) await futimesFd(fd, mtime, mtime);
    // Read back rather than assumed: the file system rounds the time it is given.
    const st = await fstatFd(fd);
    const out: WrittenFile = { size: st.size, mtime: st.mtime, ...(st.birthtimeMs > 0 ? { birthtime: st.birthtime } : {}) };
    open = undefined;
    await closeFd(fd);
    return out;
  } catch (err) {
    if (open !== undefined) close(open, () => undefined);
    await rm(tmpFile, { force: true }).catch(() => undefined);
    throw localError(err, 'write', rel);
  }
}

/**
 * Holds the temp folder, making it when missing. It must be a plain folder at the storage root
 * (never a symlink, which could lead writes out of the root): opened without following. Temp
 * files are then made, and committed from, through the held descriptor.
 */
export async function openTempDir(realRoot: string, op: string, rel: string, bag: Handles): Promise<Held> {
  const dir = path.join(realRoot, TEMP_DIR_NAME);
  for (let attempt = 0; ; attempt++) {
    try {
      // The root's own path is trusted (resolved at start); the last step is never a symlink.
      return await hold(dir, DIR_NOFOLLOW, bag, { known: dir });
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOTDIR' || code === 'ELOOP') {
        throw new FsError('permission_denied', `${op} "/${rel}": ${TEMP_DIR_NAME} at the storage root is not a plain folder`);
      }
      if (code !== 'ENOENT' || attempt > 0) throw localError(err, op, rel);
    }
    await mkdir(dir, { mode: 0o700 }).catch((err: unknown) => {
      if (errnoOf(err) !== 'EEXIST') throw localError(err, op, rel);
    });
  }
}

/** A fresh temp file name (inside the temp folder). */
export function tempName(): string {
  return `${randomUUID()}.part`;
}

/** Removes leftovers of interrupted uploads; returns how many there were. */
export async function cleanTempDir(realRoot: string): Promise<number> {
  const dir = path.join(realRoot, TEMP_DIR_NAME);
  const st = await lstat(dir).catch(() => undefined);
  if (st === undefined) return 0;
  if (!st.isDirectory()) {
    await unlink(dir);
    return 1;
  }
  const bag = new Handles();
  try {
    const h = await hold(dir, DIR_NOFOLLOW, bag, { known: dir });
    const names = await readdir(h.path);
    for (const n of names) await removeTree(h.at(n)).catch(() => undefined);
    return names.length;
  } finally {
    bag.close();
  }
}

/** Prefix of the sibling temp names used when a commit has to cross file systems. */
export const SIBLING_TEMP_PREFIX = `${TEMP_DIR_NAME}-`;

/**
 * Renames `src` (file or folder) onto `target`, which must not exist. When they are on different
 * file systems (a mount inside the root), copies to a hidden sibling of the target first and
 * renames that, so the target still appears at once; then removes `src`. Both paths should be
 * anchored to held folders (`Held.at`): the copy and the removal never follow symlinks.
 */
export async function renameIntoPlace(src: string, target: string): Promise<void> {
  try {
    await rename(src, target);
    return;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EXDEV') throw err;
  }
  const sibling = path.join(path.dirname(target), `${SIBLING_TEMP_PREFIX}${randomUUID()}.part`);
  try {
    await copyPath(src, sibling);
    await rename(sibling, target);
  } catch (err) {
    await removeTree(sibling).catch(() => undefined);
    throw err;
  }
  await removeTree(src);
}

/** A temp file made for an upload. */
export interface TempFile {
  /** Its path, through the held temp folder. */
  tmp: string;
  /** Open for writing. */
  fd: number;
  /** To call once the upload no longer uses `tmp` (committed or removed). */
  release: () => void;
}

/**
 * The temp folder, held from the first upload until the driver closes (opening and closing it
 * for each one were two of a small upload's dozen file system calls). It is checked when opened
 * (a plain folder at the root, never a symlink: openTempDir), and each upload checks that it is
 * still there (its /proc/self/fd link, no I/O): a folder renamed or removed meanwhile is let go
 * (once the uploads using it are done) and the one now at the root is opened, with the same checks.
 */
export class TempFolder {
  private current: SharedHeld | undefined;
  private opening: Promise<SharedHeld> | undefined;

  constructor(private readonly realRoot: () => Promise<string>) {}

  /** A new temp file (never an existing one) for an upload of `rel`. */
  async create(rel: string): Promise<TempFile> {
    for (let attempt = 1; ; attempt++) {
      const shared = await this.folder(rel);
      // Retired by another upload meanwhile (it found the folder gone): the current one is taken.
      const lease = shared.lease();
      if (!lease) {
        if (attempt < 3) continue;
        throw new FsError('storage_unavailable', `write "/${rel}": the temp folder keeps changing`, { retryable: true });
      }
      const tmp = lease.dir.at(tempName());
      try {
        return { tmp, fd: await createTempFile(tmp), release: lease.release };
      } catch (err) {
        lease.release();
        // The held folder was removed since it was checked: hold the current one.
        if (errnoOf(err) !== 'ENOENT' || attempt >= 3) throw localError(err, 'write', rel);
        if (this.current === shared) this.forget();
      }
    }
  }

  /** Lets the folder go (closed once the uploads using it are done). */
  close(): void {
    this.forget();
  }

  private forget(): void {
    this.current?.retire();
    this.current = undefined;
  }

  /** The held folder, opened (and made when missing) once for concurrent callers. */
  private async folder(rel: string): Promise<SharedHeld> {
    if (this.current?.held.stillThere()) return this.current;
    this.forget();
    this.opening ??= (async () => {
      const bag = new Handles();
      try {
        const shared = new SharedHeld(await openTempDir(await this.realRoot(), 'write', rel, bag), bag);
        this.current = shared;
        return shared;
      } catch (err) {
        bag.close();
        throw err;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }
}
