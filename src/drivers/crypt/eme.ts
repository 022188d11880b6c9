import { createCipheriv, createDecipheriv } from 'node:crypto';

const BLOCK = 16;
/** EME handles 1 to 128 blocks (2048 bytes), as rclone's names need. */
export const EME_MAX_BYTES = 128 * BLOCK;

/** Multiplies a 16-byte block by 2 in GF(2^128), EME's little-endian convention, in place. */
function double(b: Uint8Array): void {
  const carry = b[15]! >= 128;
  for (let j = 15; j > 0; j--) b[j] = ((b[j]! << 1) | (b[j - 1]! >> 7)) & 0xff;
  b[0] = ((b[0]! << 1) & 0xff) ^ (carry ? 135 : 0);
}

function xorInto(out: Uint8Array, a: Uint8Array, b: Uint8Array): void {
  for (let i = 0; i < BLOCK; i++) out[i] = a[i]! ^ b[i]!;
}

/** AES-256 in ECB mode over whole blocks, without padding. */
function ecb(key: Uint8Array, data: Uint8Array, encrypt: boolean): Buffer {
  const c = encrypt ? createCipheriv('aes-256-ecb', key, null) : createDecipheriv('aes-256-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/**
 * EME (ECB-Mix-ECB), the wide-block mode of Halevi and Rogaway ("A Parallelizable Enciphering
 * Mode", 2003) over AES-256, as rclone's crypt uses it for names: deterministic, and a change
 * anywhere in the input changes every block of the output.
 */
export class Eme {
  /** L·2^j for j = 1..128, where L = AES(K, 0). */
  private readonly table: Uint8Array[] = [];

  constructor(private readonly key: Uint8Array) {
    if (key.length !== 32) throw new Error('EME: the AES key must be 32 bytes');
    const l = new Uint8Array(ecb(key, new Uint8Array(BLOCK), true));
    for (let j = 0; j < EME_MAX_BYTES / BLOCK; j++) {
      double(l);
      this.table.push(l.slice());
    }
  }

  encrypt(tweak: Uint8Array, data: Uint8Array): Uint8Array {
    return this.transform(tweak, data, true);
  }

  decrypt(tweak: Uint8Array, data: Uint8Array): Uint8Array {
    return this.transform(tweak, data, false);
  }

  private transform(tweak: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
    if (tweak.length !== BLOCK) throw new Error('EME: the tweak must be 16 bytes');
    if (data.length === 0 || data.length % BLOCK !== 0 || data.length > EME_MAX_BYTES) {
      throw new Error(`EME: the input must be 1 to 128 whole blocks, got ${data.length} bytes`);
    }
    const m = data.length / BLOCK;
    const block = (buf: Uint8Array, j: number) => buf.subarray(j * BLOCK, (j + 1) * BLOCK);
    // PPj = L·2^j xor Pj, then PPPj = AES(PPj), all blocks at once.
    const pp = new Uint8Array(data.length);
    for (let j = 0; j < m; j++) xorInto(block(pp, j), block(data, j), this.table[j]!);
    const c = new Uint8Array(ecb(this.key, pp, encrypt));
    // MP = T xor (xor of all PPPj); MC = AES(MP); M = MP xor MC.
    const mp = new Uint8Array(BLOCK);
    xorInto(mp, block(c, 0), tweak);
    for (let j = 1; j < m; j++) xorInto(mp, mp, block(c, j));
    const mc = new Uint8Array(ecb(this.key, mp, encrypt));
    const mm = new Uint8Array(BLOCK);
    xorInto(mm, mp, mc);
    // CCCj = PPPj xor M·2^(j-1) for j >= 1; CCC0 = MC xor T xor (xor of the other CCCj).
    for (let j = 1; j < m; j++) {
      double(mm);
      xorInto(block(c, j), block(c, j), mm);
    }
    const first = new Uint8Array(BLOCK);
    xorInto(first, mc, tweak);
    for (let j = 1; j < m; j++) xorInto(first, first, block(c, j));
    block(c, 0).set(first);
    // Cj = AES(CCCj) xor L·2^j.
    const out = new Uint8Array(ecb(this.key, c, encrypt));
    for (let j = 0; j < m; j++) xorInto(block(out, j), block(out, j), this.table[j]!);
    return out;
  }
}
