import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { WriteStream } from 'ssh2';
import { FsError } from '../../core/errors.js';
import { byteCounter } from '../shared/byte-counter.js';
import { ops, type SftpSession } from './session.js';
import { sftpError, sftpStatus } from './sftp.errors.js';
import { UPLOAD_TEMP_PREFIX } from './tree.js';

export interface UploadOptions {
  size?: number;
  mtime?: Date;
  signal?: AbortSignal;
  /** Storage-relative path, for messages. */
  rel: string;
  /** Whether something (a file) exists at the target now. */
  replacing: boolean;
}


/**
 * Resolves once ssh2's write stream has closed its remote handle (it emits "close" only after the
 * server confirmed CLOSE, and "error" if that failed), or the connection is gone.
 */
function handleClosed(ws: WriteStream, session: SftpSession): Promise<void> {
  const state = ws as unknown as { isClosed?: boolean };
  if (state.isClosed) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    ws.once('close', () => resolve());
    ws.once('error', reject);
    void session.gone.then(() => reject(new FsError('storage_unavailable', 'SFTP connection lost', { retryable: true })));
    if (!ws.destroyed) ws.destroy();
  });
}

function uploadFailure(err: unknown, session: SftpSession, opts: UploadOptions): FsError {
  if (err instanceof FsError) return err;
  if (opts.signal?.aborted) return new FsError('aborted', `write "/${opts.rel}": aborted`, { cause: err });
  if (sftpStatus(err) !== undefined || session.broken) return sftpError(err, 'write', opts.rel);
  const why = err instanceof Error ? err.message : String(err);
  return new FsError('aborted', `write "/${opts.rel}": upload body failed (${why})`, { cause: err });
}

/** Streams the body into the open temp handle with back-pressure, then waits for the handle to close. */
async function streamInto(session: SftpSession, tmp: string, handle: Buffer, body: Readable, opts: UploadOptions): Promise<void> {
  const counter = byteCounter(opts.size, opts.rel);
  const ws = session.sftp.createWriteStream(tmp, { handle, autoClose: true });
  ws.on('error', () => undefined); // a late CLOSE failure must not become an unhandled 'error'
  try {
    await pipeline(body, counter, ws, opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    await handleClosed(ws, session).catch(() => undefined);
    throw err;
  }
  await handleClosed(ws, session);
  if (opts.size !== undefined && counter.bytes() !== opts.size) {
    throw new FsError('invalid_input', `write "/${opts.rel}": body has ${counter.bytes()} bytes but ${opts.size} were declared`);
  }
}

/**
 * Replaces the target by the finished temp file. With posix-rename@openssh.com the swap is atomic;
 * otherwise an existing target is removed first and then the temp file renamed, so for a moment
 * the name is absent (never half-written).
 */
async function commit(session: SftpSession, tmp: string, remote: string, opts: UploadOptions): Promise<void> {
  if (session.posixRename) {
    await ops.posixRename(session, tmp, remote);
    return;
  }
  if (opts.replacing) await ops.unlink(session, remote).catch(() => undefined);
  await ops.rename(session, tmp, remote);
}

/**
 * Uploads to a hidden temp name in the target's folder (which must exist), then renames it over
 * the target. On any failure (body error, abort, size mismatch, server error) the temp file is
 * removed and an FsError thrown; nothing half-written is ever visible under the target's name.
 */
export async function uploadAtomically(session: SftpSession, remote: string, body: Readable, opts: UploadOptions): Promise<void> {
  if (opts.signal?.aborted) throw new FsError('aborted', `write "/${opts.rel}": aborted`);
  const tmp = posix.join(posix.dirname(remote), `${UPLOAD_TEMP_PREFIX}${randomUUID()}.tmp`);
  const handle = await ops.open(session, tmp, 'wx').catch((err: unknown) => {
    throw sftpError(err, 'write', opts.rel);
  });
  try {
    await streamInto(session, tmp, handle, body, opts);
    if (opts.mtime) await ops.utimes(session, tmp, opts.mtime);
    if (opts.signal?.aborted) throw new FsError('aborted', `write "/${opts.rel}": aborted`);
    await commit(session, tmp, remote, opts);
  } catch (err) {
    if (!session.broken) await ops.unlink(session, tmp).catch(() => undefined);
    throw uploadFailure(err, session, opts);
  }
}
