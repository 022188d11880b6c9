import type { Readable } from 'node:stream';
import { FsError } from './errors.js';

/**
 * Bodies of at most this many declared bytes are received whole before the storage is touched:
 * one write call instead of a stream pipeline, and an upload the client breaks off never reaches
 * the storage at all. Memory stays bounded by this size times the uploads in flight.
 */
export const SMALL_BODY_BYTES = 256 * 1024;

export function isSmallBody(size: number | undefined): size is number {
  return size !== undefined && size <= SMALL_BODY_BYTES;
}

/**
 * Reads a body of a declared (small) size into one buffer. A longer or shorter body is
 * `invalid_input`; a body that fails or ends early (client gone), or an aborted signal, is `aborted`.
 */
export function readSmallBody(body: Readable, declared: number, rel: string, signal?: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (err: FsError | undefined) => {
      if (settled) return;
      settled = true;
      body.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        body.destroy();
        reject(err);
        return;
      }
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
    };
    const aborted = (why: string, cause?: unknown) => new FsError('aborted', `write "/${rel}": ${why}`, cause === undefined ? {} : { cause });
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > declared) {
        finish(new FsError('invalid_input', `write "/${rel}": body is longer than the declared size of ${declared} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (received !== declared) finish(new FsError('invalid_input', `write "/${rel}": body has ${received} bytes but ${declared} were declared`));
      else finish(undefined);
    };
    const onError = (err: unknown) => finish(aborted(`upload body failed (${err instanceof Error ? err.message : String(err)})`, err));
    const onClose = () => finish(aborted('the body ended before all of it arrived'));
    const onAbort = () => finish(aborted('aborted'));
    if (signal?.aborted) {
      finish(aborted('aborted'));
      return;
    }
    if (body.readableEnded) {
      onEnd();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}
