import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { secretbox } from '@noble/ciphers/salsa.js';
import { FsError } from '../../core/errors.js';

/** rclone's crypt file format: `RCLONE\0\0`, a 24-byte nonce, then 64 KiB chunks sealed with NaCl secretbox. */
export const MAGIC = Buffer.from('RCLONE\x00\x00', 'latin1');
export const NONCE_BYTES = 24;
export const HEADER_BYTES = MAGIC.length + NONCE_BYTES;
export const CHUNK_DATA = 64 * 1024;
export const CHUNK_OVERHEAD = 16;
export const CHUNK_BYTES = CHUNK_DATA + CHUNK_OVERHEAD;

/** Stored size of a file of `plain` bytes. */
export function encryptedSize(plain: number): number {
  const whole = Math.floor(plain / CHUNK_DATA);
  const rest = plain % CHUNK_DATA;
  return HEADER_BYTES + whole * CHUNK_BYTES + (rest > 0 ? CHUNK_OVERHEAD + rest : 0);
}

/** Plain size of a stored file of `stored` bytes, or undefined when no encrypted file has that size. */
export function decryptedSize(stored: number): number | undefined {
  const body = stored - HEADER_BYTES;
  if (body < 0) return undefined;
  const whole = Math.floor(body / CHUNK_BYTES);
  const rest = body % CHUNK_BYTES;
  if (rest > 0 && rest <= CHUNK_OVERHEAD) return undefined;
  return whole * CHUNK_DATA + (rest > 0 ? rest - CHUNK_OVERHEAD : 0);
}

/** The nonce of chunk `index`: the file's nonce plus `index`, as a 192-bit little-endian number. */
export function chunkNonce(base: Uint8Array, index: number): Uint8Array {
  const n = Uint8Array.from(base);
  let carry = index;
  for (let i = 0; i < n.length && carry > 0; i++) {
    const sum = n[i]! + (carry % 256);
    n[i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >> 8);
  }
  return n;
}

/** The nonce in a file's 32-byte header; upstream_error when it is not an rclone crypt header. */
export function parseHeader(header: Uint8Array, where: string): Uint8Array {
  if (header.length < HEADER_BYTES) throw new FsError('upstream_error', `${where}: file is too short to be encrypted`);
  if (!MAGIC.equals(header.subarray(0, MAGIC.length))) throw new FsError('upstream_error', `${where}: not an encrypted file (bad magic string)`);
  return Uint8Array.from(header.subarray(MAGIC.length, HEADER_BYTES));
}

/**
 * Encrypts a byte stream on the fly: the header with a random nonce, then each 64 KiB of input
 * sealed with the nonce counted up per chunk. Holds at most one chunk; back-pressure passes
 * through as with any Transform. An empty input gives the header alone, as rclone writes it.
 */
export function encryptStream(dataKey: Uint8Array, nonce: Uint8Array = randomBytes(NONCE_BYTES)): Transform {
  const pending = Buffer.alloc(CHUNK_DATA);
  let filled = 0;
  let index = 0;
  let started = false;
  const seal = (t: Transform, data: Uint8Array) => {
    t.push(Buffer.from(secretbox(dataKey, chunkNonce(nonce, index++)).seal(data)));
  };
  const start = (t: Transform) => {
    if (started) return;
    started = true;
    t.push(Buffer.concat([MAGIC, nonce]));
  };
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      start(this);
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(CHUNK_DATA - filled, chunk.length - at);
        chunk.copy(pending, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === CHUNK_DATA) {
          seal(this, pending);
          filled = 0;
        }
      }
      done();
    },
    flush(done: TransformCallback) {
      start(this);
      if (filled > 0) seal(this, pending.subarray(0, filled));
      done();
    },
  });
}

export interface DecryptSpan {
  dataKey: Uint8Array;
  nonce: Uint8Array;
  /** Index of the first chunk the source starts at. */
  firstChunk: number;
  /** Plain bytes of the first chunk to drop, and how many plain bytes to give in all (undefined: to the end). */
  skip: number;
  length?: number;
  /** For error messages. */
  where: string;
}

function openChunk(span: DecryptSpan, sealed: Uint8Array, index: number): Uint8Array {
  if (sealed.length <= CHUNK_OVERHEAD) throw new FsError('upstream_error', `${span.where}: file has a truncated chunk (chunk ${index})`);
  try {
    return secretbox(span.dataKey, chunkNonce(span.nonce, index)).open(sealed);
  } catch (err) {
    throw new FsError('permission_denied', `${span.where}: failed to authenticate chunk ${index}: wrong password or salt, or a damaged file`, { cause: err });
  }
}

/**
 * Decrypts sealed chunks read from `source` (which starts at a chunk boundary), giving the plain
 * bytes of the span. A chunk that fails authentication ends it with permission_denied before
 * any of its bytes are given: never garbage.
 */
export async function* decryptChunks(source: AsyncIterable<Buffer>, span: DecryptSpan): AsyncGenerator<Buffer> {
  const sealed = Buffer.alloc(CHUNK_BYTES);
  let filled = 0;
  let index = span.firstChunk;
  let skip = span.skip;
  let left = span.length ?? Infinity;
  const emit = (plain: Uint8Array): Buffer | undefined => {
    let out = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
    if (skip > 0) {
      const n = Math.min(skip, out.length);
      skip -= n;
      out = out.subarray(n);
    }
    if (out.length > left) out = out.subarray(0, left);
    left -= out.length;
    return out.length > 0 ? out : undefined;
  };
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length && left > 0) {
      const n = Math.min(CHUNK_BYTES - filled, chunk.length - at);
      chunk.copy(sealed, filled, at, at + n);
      filled += n;
      at += n;
      if (filled === CHUNK_BYTES) {
        const out = emit(openChunk(span, sealed, index++));
        filled = 0;
        if (out) yield out;
      }
    }
    if (left <= 0) return;
  }
  if (filled > 0 && left > 0) {
    const out = emit(openChunk(span, sealed.subarray(0, filled), index++));
    if (out) yield out;
  }
  if (left > 0 && left !== Infinity) throw new FsError('upstream_error', `${span.where}: file ended ${left} bytes early`);
}
