import type { Readable } from 'node:stream';

/**
 * Cuts a body into parts of `size` bytes for a multi-part upload, the last part holding the rest
 * (1 to `size` bytes); no part for an empty body. One part is buffered at a time, and the body is
 * read on only as the parts are taken.
 */
export async function* parts(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    pending.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    while (bytes > size) {
      const all = Buffer.concat(pending, bytes);
      pending = [all.subarray(size)];
      bytes -= size;
      yield all.subarray(0, size);
    }
  }
  if (bytes > 0) yield Buffer.concat(pending, bytes);
}
