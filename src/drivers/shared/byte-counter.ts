import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { FsError } from '../../core/errors.js';

export interface ByteCounter extends Transform {
  bytes(): number;
}

/**
 * A pass-through that counts bytes and fails the stream when the body is longer than `declared`,
 * or, at its end, shorter: an upload fed through it never completes with the wrong size.
 */
export function byteCounter(declared: number | undefined, rel: string): ByteCounter {
  let count = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      count += chunk.length;
      if (declared !== undefined && count > declared) {
        done(new FsError('invalid_input', `write "/${rel}": body is longer than the declared size of ${declared} bytes`));
        return;
      }
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      if (declared !== undefined && count !== declared) {
        done(new FsError('invalid_input', `write "/${rel}": body has ${count} bytes but ${declared} were declared`));
        return;
      }
      done();
    },
  });
  return Object.assign(t, { bytes: () => count });
}

/** An upload body fed through a byte counter, and what went wrong on the client's side. */
export interface CountedBody {
  /** The counted stream to send upstream. */
  stream: ByteCounter;
  bytes(): number;
  /** The client body's own failure (it broke off, or its size is wrong), if any. */
  clientError(): unknown;
}

/**
 * Feeds `body` through a byte counter one way only: a failing body (or a wrong size) fails the
 * counter, and so the upstream request; a failing upstream request stops reading the body but
 * is not recorded as the client's failure. That keeps "the client went away" (aborted) apart
 * from "the upstream went away" (upstream_error) when an upload fails.
 */
export function countBody(body: Readable, declared: number | undefined, rel: string): CountedBody {
  const counter = byteCounter(declared, rel);
  let clientError: unknown;
  body.once('error', (err: unknown) => {
    clientError ??= err;
    counter.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  counter.once('error', (err: unknown) => {
    if (err instanceof FsError) clientError ??= err;
  });
  counter.once('close', () => body.unpipe(counter));
  body.pipe(counter);
  return { stream: counter, bytes: () => counter.bytes(), clientError: () => clientError };
}

/**
 * Classifies a failed upload: an aborted signal is `aborted`, a size mismatch stays `invalid_input`,
 * a failure of the client's body (not of the storage) is `aborted` too, other FsErrors stay.
 * Returns undefined for errors still to be mapped.
 */
export function uploadFailure(err: unknown, ctx: { signal?: AbortSignal; bodyError?: unknown; rel: string }): FsError | undefined {
  // A cancelled upload is `aborted`, whatever its body did after the cancel.
  if (ctx.signal?.aborted) return new FsError('aborted', `write "/${ctx.rel}": aborted`, { cause: err });
  if (ctx.bodyError instanceof FsError) return ctx.bodyError;
  if (ctx.bodyError !== undefined) {
    const why = ctx.bodyError instanceof Error ? ctx.bodyError.message : String(ctx.bodyError);
    return new FsError('aborted', `write "/${ctx.rel}": upload body failed (${why})`, { cause: ctx.bodyError });
  }
  if (err instanceof FsError) return err;
  return undefined;
}
