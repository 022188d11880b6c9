import { Transform, type TransformCallback } from 'node:stream';
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
