import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { FsError } from '../../core/errors.js';
import type { ByteRange } from '../../core/storage/index.js';

export interface Span {
  start: number;
  end: number;
}

/** Parses a Content-Range header such as "bytes 3-6/16". */
export function parseContentRange(value: string | undefined | null): (Span & { size: number }) | undefined {
  const m = value == null ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) };
}

/** The span a requested range asks for in a file of `size` bytes (end clamped), or invalid_input. */
export function wantedSpan(range: ByteRange, size: number, where: string): Span {
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (!Number.isSafeInteger(range.start) || range.start < 0 || range.start >= size || end < range.start) {
    throw new FsError('invalid_input', `${where}: range not satisfiable (bytes ${range.start}-${range.end ?? ''} of ${size})`);
  }
  return { start: range.start, end };
}

/** Passes on `length` bytes after skipping `skip`, then ends (and lets the source be destroyed). */
function slicer(skip: number, length: number, source: Readable): Transform {
  let toSkip = skip;
  let left = length;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let part = chunk;
      if (toSkip > 0) {
        const n = Math.min(toSkip, part.length);
        toSkip -= n;
        part = part.subarray(n);
      }
      if (left > 0 && part.length > 0) {
        const out = part.subarray(0, left);
        left -= out.length;
        this.push(out);
      }
      if (left === 0) {
        this.push(null);
        source.destroy();
      }
      done();
    },
  });
}

/**
 * Fits what a server sent to the span that was asked for. `sent` is the span the body covers
 * (the whole file when the server ignored the range). When it covers the wanted span, the body
 * is trimmed to it; otherwise the body is returned as is with the span it really covers.
 */
export function fitToSpan(body: Readable, sent: Span, wanted: Span): { stream: Readable; range: Span } {
  const covered = { start: sent.start, end: sent.end };
  if (sent.start === wanted.start && sent.end === wanted.end) return { stream: body, range: covered };
  if (sent.start > wanted.start || sent.end < wanted.end) return { stream: body, range: covered };
  const out = slicer(wanted.start - sent.start, wanted.end - wanted.start + 1, body);
  body.on('error', (err) => out.destroy(err));
  out.on('close', () => body.destroy());
  body.pipe(out);
  return { stream: out, range: wanted };
}
