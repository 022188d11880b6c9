import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsError } from '../../core/errors.js';
import { byteCounter } from '../shared/byte-counter.js';
import { isErrnoError, localError } from './local.errors.js';
import { errnoOf, TEMP_DIR_NAME } from './containment.js';
import { DIR_NOFOLLOW, Handles, type Held, hold } from './handles.js';
import { copyPath, removeTree } from './tree.js';

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
 * Streams `body` into `tmpFile` with back-pressure. On any failure (body error, abort, size
 * mismatch, disk error) the temp file is deleted and an FsError is thrown; returns the byte count.
 */
export async function streamToTemp(body: Readable, tmpFile: string, opts: TempStreamOptions): Promise<number> {
  const counter = byteCounter(opts.size, opts.rel);
  try {
    if (opts.signal?.aborted) throw new FsError('aborted', `write "/${opts.rel}": aborted`);
    const out = createWriteStream(tmpFile, { flags: 'wx' });
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
 * Writes a body already in memory to a new temp file with one write call, sets the modification
 * time when given, and reads size and times back from the open file. On failure the temp file is
 * removed.
 */
export async function writeBufferToTemp(data: Buffer, tmpFile: string, mtime: Date | undefined, rel: string): Promise<WrittenFile> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmpFile, 'wx');
    let done = 0;
    while (done < data.length) done += (await handle.write(data, done, data.length - done, done)).bytesWritten;
    if (mtime) await handle.utimes(mtime, mtime);
    // Read back rather than assumed: the file system rounds the time it is given.
    const st = await handle.stat();
    const out: WrittenFile = { size: st.size, mtime: st.mtime, ...(st.birthtimeMs > 0 ? { birthtime: st.birthtime } : {}) };
    const h = handle;
    handle = undefined;
    await h.close();
    return out;
  } catch (err) {
    await handle?.close().catch(() => undefined);
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
