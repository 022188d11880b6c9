/**
 * File content in rclone's format. The two stored files were written by the real rclone 1.60
 * (`rclone rcat` into a crypt remote with password "filebridge-test", password2 "pepper"):
 * "hello rclone\n" and an empty file.
 */
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsError } from '../../core/errors.js';
import { CHUNK_BYTES, CHUNK_DATA, chunkNonce, decryptChunks, decryptedSize, encryptedSize, encryptStream, HEADER_BYTES, parseHeader, type DecryptSpan } from './content.js';
import { deriveKeys, type CryptKeys } from './keys.js';

const HELLO = Buffer.from('52434c4f4e4500006c60725931c42fd367fcd85e6c9603798fb0dfba2b421dde1164cbcbe279f99da69db34efbf16e3393096d020a237c46f1166cf05c', 'hex');
const EMPTY = Buffer.from('52434c4f4e45000011c305e9f7778bf8e5c3e672045944196afabdf487839717', 'hex');

async function all(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

const encrypt = (key: Uint8Array, data: Buffer, nonce?: Uint8Array) => all(Readable.from([data]).pipe(encryptStream(key, nonce)));

function decrypt(key: Uint8Array, stored: Buffer, span: Partial<DecryptSpan> = {}): Promise<Buffer> {
  const nonce = parseHeader(stored.subarray(0, HEADER_BYTES), 'test');
  const first = span.firstChunk ?? 0;
  const body = stored.subarray(HEADER_BYTES + first * CHUNK_BYTES);
  return all(decryptChunks(Readable.from([body]), { dataKey: key, nonce, firstChunk: first, skip: 0, where: 'test', ...span }));
}

describe('content in rclone\'s format', () => {
  let keys: CryptKeys;
  beforeAll(async () => {
    keys = await deriveKeys('filebridge-test', 'pepper');
  });

  it('sizes: 32-byte header, 16 bytes per started 64 KiB chunk, both ways', () => {
    expect(encryptedSize(0)).toBe(32);
    expect(encryptedSize(1)).toBe(49);
    expect(encryptedSize(65536)).toBe(32 + 65552);
    expect(encryptedSize(65537)).toBe(32 + 65552 + 17);
    expect(encryptedSize(1024 ** 3)).toBe(32 + 16384 * 65552);
    for (const n of [0, 1, 13, 65535, 65536, 65537, 3 * 65536 + 5, 1024 ** 3, 5 * 1024 ** 4]) expect(decryptedSize(encryptedSize(n)), `${n}`).toBe(n);
    expect(decryptedSize(31)).toBeUndefined();
    for (let bad = 33; bad <= 48; bad++) expect(decryptedSize(bad), `${bad}`).toBeUndefined();
  });

  it('counts the nonce up as a little-endian number across all 24 bytes', () => {
    const base = new Uint8Array(24).fill(0xff, 0, 9);
    expect(Array.from(chunkNonce(base, 1).subarray(0, 11))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(chunkNonce(new Uint8Array(24), 0x1_0203))).toEqual([3, 2, 1, ...new Array(21).fill(0)]);
  });

  it('reads files rclone wrote, and writes them byte-identical given the same nonce', async () => {
    expect((await decrypt(keys.dataKey, HELLO)).toString()).toBe('hello rclone\n');
    expect(decryptedSize(HELLO.length)).toBe(13);
    expect(await decrypt(keys.dataKey, EMPTY)).toHaveLength(0);
    const again = await encrypt(keys.dataKey, Buffer.from('hello rclone\n'), HELLO.subarray(8, 32));
    expect(again.equals(HELLO)).toBe(true);
    expect((await encrypt(keys.dataKey, Buffer.alloc(0), EMPTY.subarray(8, 32))).equals(EMPTY)).toBe(true);
  });

  it('round-trips across chunk edges and gives any span of chunks', async () => {
    const data = Buffer.from(Array.from({ length: 3 * CHUNK_DATA + 777 }, (_, i) => (i * 7 + (i >> 16)) & 0xff));
    const stored = await encrypt(keys.dataKey, data);
    expect(stored).toHaveLength(encryptedSize(data.length));
    expect((await decrypt(keys.dataKey, stored)).equals(data)).toBe(true);
    const start = 2 * CHUNK_DATA + 100;
    const part = await decrypt(keys.dataKey, stored, { firstChunk: 2, skip: 100, length: 1000 });
    expect(part.equals(data.subarray(start, start + 1000))).toBe(true);
    const tail = await decrypt(keys.dataKey, stored, { firstChunk: 3, skip: 776 });
    expect(Array.from(tail)).toEqual([data[data.length - 1]]);
  });

  it('a wrong key fails with permission_denied and gives no bytes', async () => {
    const other = await deriveKeys('not the password', 'pepper');
    const got: Buffer[] = [];
    const err = await (async () => {
      for await (const p of decryptChunks(Readable.from([HELLO.subarray(HEADER_BYTES)]), { dataKey: other.dataKey, nonce: HELLO.subarray(8, 32), firstChunk: 0, skip: 0, where: 'test' })) got.push(p);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).code).toBe('permission_denied');
    expect((err as FsError).message).toMatch(/wrong password/);
    expect(got).toHaveLength(0);
  });

  it('a damaged chunk or header is an error, never garbage', async () => {
    const bad = Buffer.from(HELLO);
    bad[40] = bad[40]! ^ 1;
    await expect(decrypt(keys.dataKey, bad)).rejects.toMatchObject({ code: 'permission_denied' });
    expect(() => parseHeader(Buffer.from('NOTCLONE' + 'x'.repeat(24)), 'f')).toThrow(/not an encrypted file/);
    expect(() => parseHeader(HELLO.subarray(0, 20), 'f')).toThrow(/too short/);
    await expect(decrypt(keys.dataKey, HELLO.subarray(0, 40))).rejects.toMatchObject({ code: 'upstream_error' });
  });
});
