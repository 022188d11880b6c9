import { type Readable, Transform } from 'node:stream';

/**
 * `source` piped (with back-pressure) through a pass-through that counts its bytes: `count()` is
 * the total so far, and `onBytes` hears it after each chunk. An error of the source ends the
 * counted stream with that error.
 */
export function counted(source: Readable, onBytes: (bytes: number) => void = () => undefined): { stream: Readable; count: () => number } {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      onBytes(bytes);
      cb(null, chunk);
    },
  });
  source.on('error', (err) => stream.destroy(err));
  source.pipe(stream);
  return { stream, count: () => bytes };
}
