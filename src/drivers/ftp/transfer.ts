import { PassThrough, Writable, addAbortSignal, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsError } from '../../core/errors.js';
import { byteCounter } from '../shared/byte-counter.js';
import type { SessionPool } from '../shared/session-pool.js';
import { ftpError } from './ftp.errors.js';
import type { FtpSession } from './session.js';

export interface DownloadRequest {
  remote: string;
  rel: string;
  /** Inclusive range; undefined streams the whole file. */
  range?: { start: number; end: number };
  /** Whether the range ends before the end of the file (the transfer must be cut short). */
  stopsEarly: boolean;
  signal?: AbortSignal;
}

/**
 * A writable end for basic-ftp's download that forwards at most `limit` bytes into `out` with
 * back-pressure, and calls `onLimit` once they have all been forwarded.
 */
function limitedSink(out: PassThrough, limit: number, onLimit: () => void): Writable {
  let left = limit;
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (left <= 0 || out.destroyed) return done();
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= part.length;
      const flushed = out.write(part);
      if (left === 0) {
        out.end();
        onLimit();
      }
      if (flushed || left === 0) done();
      else out.once('drain', () => done());
    },
    final(done) {
      if (!out.writableEnded && !out.destroyed) out.end();
      done();
    },
  });
}

/**
 * Streams a file (REST + RETR) through the session. The session returns to the pool after a
 * complete transfer; when the transfer has to stop early (a range ending before the end of the
 * file, or the reader destroying or aborting the stream) the session is discarded: closing the
 * connection is the one certain way to stop an FTP transfer.
 */
export function download(pool: SessionPool<FtpSession>, session: FtpSession, req: DownloadRequest): Readable {
  const out = new PassThrough();
  const state = { done: false, cut: false };
  const cut = (): void => {
    if (state.done || state.cut) return;
    state.cut = true;
    session.client.close();
  };
  const limit = req.range ? req.range.end - req.range.start + 1 : Number.MAX_SAFE_INTEGER;
  const sink = limitedSink(out, limit, () => {
    if (req.stopsEarly) cut();
  });
  // Closed before every byte was handed over: the reader went away mid-transfer.
  out.once('close', () => {
    if (!out.writableEnded) cut();
  });
  if (req.signal) addAbortSignal(req.signal, out);
  session.client
    .downloadTo(sink, req.remote, req.range?.start ?? 0)
    .then(
      () => {
        state.done = true;
        pool.release(session);
      },
      (err: unknown) => {
        state.done = true;
        if (state.cut) pool.discard(session);
        else pool.release(session);
        if (!state.cut && !out.destroyed) out.destroy(ftpError(err, 'read', req.rel));
      },
    );
  return out;
}


export interface StoreOptions {
  size?: number;
  signal?: AbortSignal;
  rel: string;
}

/**
 * STORs the body to `remote` with back-pressure. A body error, an abort or a size overrun fails
 * the transfer (basic-ftp then closes the session, which the pool replaces); a failed upload
 * stops reading the body.
 */
export async function store(session: FtpSession, remote: string, body: Readable, opts: StoreOptions): Promise<void> {
  if (opts.signal?.aborted) throw new FsError('aborted', `write "/${opts.rel}": aborted`);
  const counter = byteCounter(opts.size, opts.rel);
  const piping = pipeline(body, counter, opts.signal ? { signal: opts.signal } : {});
  const uploading = session.client.uploadFrom(counter, remote).catch((err: unknown) => {
    counter.destroy();
    throw err;
  });
  const [piped, uploaded] = await Promise.allSettled([piping, uploading]);
  if (uploaded.status === 'rejected' && (piped.status === 'fulfilled' || isPrematureClose(piped.reason))) {
    throw ftpError(uploaded.reason, 'write', opts.rel);
  }
  if (piped.status === 'rejected') throw storeFailure(piped.reason, opts);
  if (opts.size !== undefined && counter.bytes() !== opts.size) {
    throw new FsError('invalid_input', `write "/${opts.rel}": body has ${counter.bytes()} bytes but ${opts.size} were declared`);
  }
}

/** The error pipeline() reports when the upload side stopped reading (destroyed) first. */
function isPrematureClose(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** The body side failed: its own FsError (size), an abort, or the client's stream breaking. */
function storeFailure(err: unknown, opts: StoreOptions): FsError {
  if (err instanceof FsError) return err;
  if (opts.signal?.aborted) return new FsError('aborted', `write "/${opts.rel}": aborted`, { cause: err });
  const why = err instanceof Error ? err.message : String(err);
  return new FsError('aborted', `write "/${opts.rel}": upload body failed (${why})`, { cause: err });
}
