import { createWriteStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as parseDisposition } from 'content-disposition';
import { FsError } from '../core/errors.js';
import { checkName } from '../core/paths.js';
import { counted } from '../lib/counted.js';
import { type FetchTimeouts, fetchChecked, statusError } from './http-fetch.js';
import { type Sidecar, freeBytes, readSidecar, requireSpace, writeSidecar } from './staging.js';
import type { Resolver } from './url-check.js';

export interface SimpleHttpJob {
  url: URL;
  /** The task's staging folder (its files) and sidecar (what is known about them). */
  dir: string;
  sidecar: string;
  allowPrivate: boolean;
  signal: AbortSignal;
  onBytes(bytes: number): void;
  onSize(bytes: number): Promise<void>;
  /**
   * Streams the file straight to its target (a size is known and the source cannot resume, so
   * staging would buy nothing); absent: always staged.
   */
  direct?: (name: string, body: Readable, size: number) => Promise<{ size: number }>;
  timeouts?: FetchTimeouts;
  resolve?: Resolver;
}

export type SimpleHttpOutcome = { mode: 'staged'; name: string; size: number } | { mode: 'direct'; name: string; size: number };

const USER_AGENT = 'Filebridge offline download';

/** A safe file name from the answer: Content-Disposition's, else the URL's last segment, else OpenList's "UnnamedURL". */
export function fileNameOf(res: IncomingMessage, url: URL): string {
  const candidates: string[] = [];
  const cd = res.headers['content-disposition'];
  if (cd) {
    try {
      const name = parseDisposition(cd).parameters.filename;
      if (name) candidates.push(name);
    } catch {
      // an unreadable header: the URL names the file
    }
  }
  const last = url.pathname.split('/').filter(Boolean).pop();
  if (last) {
    try {
      candidates.push(decodeURIComponent(last));
    } catch {
      candidates.push(last);
    }
  }
  for (const raw of candidates) {
    const name = raw.replace(/[/\\\u0000-\u001f\u007f]/g, '_').trim().slice(0, 200);
    try {
      checkName(name);
      return name;
    } catch {
      // next candidate
    }
  }
  return 'UnnamedURL';
}

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `bytes start-end/total` of a 206 answer. */
function contentRange(res: IncomingMessage): { start: number; total?: number } | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header(res, 'content-range') ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), ...(m[2] === '*' ? {} : { total: Number(m[2]) }) };
}

/** Where an earlier attempt stopped: the staged file's length, when the sidecar says which file it is. */
async function resumePoint(job: SimpleHttpJob, side: Sidecar | undefined): Promise<number> {
  if (!side) return 0;
  const st = await stat(join(job.dir, side.name)).catch(() => undefined);
  if (!st) return 0;
  return side.size !== undefined && st.size > side.size ? 0 : st.size;
}

/**
 * SimpleHttp: downloads one URL into the task's staging folder, resuming with `Range` (guarded by
 * `If-Range`) where an earlier attempt or a killed server stopped when the source supports it,
 * and starting the file again when it does not. A source that gives its size but cannot resume
 * is streamed straight to the target instead (when `direct` is given).
 */
export async function simpleHttp(job: SimpleHttpJob): Promise<SimpleHttpOutcome> {
  let side = await readSidecar(job.sidecar);
  if (side?.complete) return { mode: 'staged', name: side.name, size: side.size ?? 0 };
  let offset = await resumePoint(job, side);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
  if (side && offset > 0) {
    headers.range = `bytes=${offset}-`;
    const validator = side.etag ?? side.lastModified;
    if (validator) headers['if-range'] = validator;
  }
  const { res, url } = await fetchChecked(job.url, { headers, allowPrivate: job.allowPrivate, signal: job.signal, timeouts: job.timeouts, resolve: job.resolve });
  try {
    const status = res.statusCode ?? 0;
    if (status === 416 && side && side.size !== undefined && offset === side.size) {
      await writeSidecar(job.sidecar, { ...side, complete: true });
      return { mode: 'staged', name: side.name, size: offset };
    }
    if (status !== 200 && status !== 206) throw statusError(url, res);
    const range = status === 206 ? contentRange(res) : undefined;
    if (status === 206 && range?.start !== offset) throw new FsError('upstream_error', `${url.host} resumed at the wrong place`, { retryable: true });
    if (status === 200) offset = 0;
    const length = Number(header(res, 'content-length'));
    const size = range?.total ?? (Number.isFinite(length) && header(res, 'content-length') !== undefined ? offset + length : undefined);
    const name = side?.name ?? fileNameOf(res, url);
    const resumable = status === 206 || header(res, 'accept-ranges') === 'bytes';
    if (size !== undefined) await job.onSize(size);
    if (!side && size !== undefined && !resumable && job.direct) {
      const body = counted(res, job.onBytes);
      let written: { size: number };
      try {
        written = await job.direct(name, body.stream, size);
      } catch (err) {
        // The source broke off: the target never saw a half file (atomic writes); try again.
        if (!job.signal.aborted && body.count() !== size) {
          throw new FsError('upstream_error', `the download from ${url.host} broke off after ${body.count()} of ${size} bytes`, { cause: err, retryable: true });
        }
        throw err;
      }
      if (body.count() !== size || written.size !== size) throw new FsError('upstream_error', `received ${body.count()} of ${size} bytes from ${url.host}`, { retryable: true });
      return { mode: 'direct', name, size };
    }
    side = { url: job.url.href, name, ...(size !== undefined ? { size } : {}), ...validators(res), complete: false };
    await writeSidecar(job.sidecar, side);
    const got = await stage(job, res, name, offset, size);
    if (size !== undefined && got !== size) throw new FsError('upstream_error', `received ${got} of ${size} bytes from ${url.host}`, { retryable: true });
    await writeSidecar(job.sidecar, { ...side, size: got, complete: true });
    return { mode: 'staged', name, size: got };
  } finally {
    res.destroy();
  }
}

function validators(res: IncomingMessage): { etag?: string; lastModified?: string } {
  const etag = header(res, 'etag');
  const lastModified = header(res, 'last-modified');
  // A weak ETag cannot guard a range request (RFC 9110 §13.1.5).
  return { ...(etag && !etag.startsWith('W/') ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/** Appends the body at `offset` (or writes it from the start), stopping before it eats the staging reserve; synced when whole. */
async function stage(job: SimpleHttpJob, res: IncomingMessage, name: string, offset: number, size: number | undefined): Promise<number> {
  await mkdir(job.dir, { recursive: true });
  if (size !== undefined) await requireSpace(job.dir, size - offset, name);
  const free = await freeBytes(job.dir);
  const file = join(job.dir, name);
  let bytes = offset;
  job.onBytes(bytes);
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes - offset > free) return cb(new FsError('quota_exceeded', 'the staging folder ran out of free space during the download'));
      job.onBytes(bytes);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res, guard, createWriteStream(file, { flags: offset > 0 ? 'a' : 'w', mode: 0o600 }), { signal: job.signal });
  } catch (err) {
    if (err instanceof FsError) throw err;
    if (job.signal.aborted) throw new FsError('aborted', 'download stopped', { cause: err });
    throw new FsError('upstream_error', `the download from ${job.url.host} broke off after ${bytes} bytes: ${(err as Error).message}`, { cause: err, retryable: true });
  }
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return bytes;
}
