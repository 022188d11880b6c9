import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsError } from '../core/errors.js';
import { counted } from '../lib/counted.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import type { TaskItem, TaskRecord } from './store.js';

/** Free space an upload must leave in the staging folder, beside its own bytes. */
export const STAGING_RESERVE_BYTES = 64 * 1024 * 1024;

/**
 * Stages an upload body in `dir` for an upload task: checks that its size (when given) fits in the
 * free space with a reserve to spare before a byte is written, streams it to a hidden part file,
 * syncs it and only then gives it its final name, so a half-received body is never committed.
 * Returns the staged file and its size.
 */
export async function stageUpload(dir: string, body: Readable, size: number | undefined, signal: AbortSignal): Promise<{ file: string; size: number }> {
  await mkdir(dir, { recursive: true });
  const fsStats = await statfs(dir);
  const free = fsStats.bavail * fsStats.bsize;
  if (free - STAGING_RESERVE_BYTES < (size ?? 0)) {
    // The body is left unread: the answer goes out at once and the connection is closed after it.
    throw new FsError('quota_exceeded', `not enough free space in the staging folder for this upload (${size ?? 0} bytes wanted, ${Math.max(0, free - STAGING_RESERVE_BYTES)} free beyond the reserve)`);
  }
  const id = randomUUID();
  const part = join(dir, `.${id}.part`);
  const file = join(dir, id);
  let bytes = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      // A body of unknown size is stopped before it eats the reserve.
      if (bytes > free - STAGING_RESERVE_BYTES) return cb(new FsError('quota_exceeded', 'the staging folder ran out of free space during the upload'));
      cb(null, chunk);
    },
  });
  try {
    await pipeline(body, guard, createWriteStream(part, { flags: 'wx', mode: 0o600 }), { signal });
    if (size !== undefined && bytes !== size) throw new FsError('invalid_input', `the body had ${bytes} bytes, Content-Length said ${size}`);
    const fh = await open(part, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(part, file);
    return { file, size: bytes };
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

/** Commits a staged upload to its target: streamed with back-pressure, checked, then the staged file goes. */
export async function runUploadItem(fs: VirtualFs, task: TaskRecord, _item: TaskItem, onBytes: (bytes: number) => void, signal: AbortSignal): Promise<{ skipped: boolean }> {
  const staged = await stat(task.src).catch(() => undefined);
  if (!staged) throw new FsError('not_found', 'the staged upload is gone (deleted, or the data folder was replaced)');
  if (task.options.conflict === 'skip' && (await fs.exists(task.dst))) {
    await rm(task.src, { force: true });
    return { skipped: true };
  }
  const source = createReadStream(task.src);
  const body = counted(source, onBytes);
  const written = await fs.write(task.dst, body.stream, { size: staged.size, signal }).finally(() => source.destroy());
  if (body.count() !== staged.size || written.size !== staged.size) {
    throw new FsError('upstream_error', `${task.dst} holds ${written.size} bytes after writing ${staged.size}`, { retryable: true });
  }
  await rm(task.src, { force: true });
  return { skipped: false };
}

/** Plans an upload task: one item, the staged file. */
export async function planUpload(task: TaskRecord): Promise<{ rel: string; isDir: boolean; size: number }[]> {
  const staged = await stat(task.src);
  return [{ rel: '', isDir: false, size: staged.size }];
}

/** Removes the staged file of an upload task that was deleted before it was committed. */
export async function dropStaged(task: TaskRecord): Promise<void> {
  if (task.kind === 'upload') await rm(task.src, { force: true });
}
