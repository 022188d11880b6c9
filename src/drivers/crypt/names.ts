import { Eme, EME_MAX_BYTES } from './eme.js';
import type { NameEncoding } from './encodings.js';
import type { CryptKeys } from './keys.js';

export type NameMode = 'off' | 'standard' | 'obfuscate';

export interface NameSettings {
  mode: NameMode;
  /** Whether folder names are encrypted too (rclone's directory_name_encryption). */
  dirNames: boolean;
  encoding: NameEncoding;
  /** Appended to file names when mode is off; "" for none. */
  suffix: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const QUOTE = 0x21; // '!'
/** A UTF-16 surrogate not part of a pair: such a name is not valid Unicode and is not rotated. */
const LONE_SURROGATE = /\p{Cs}/u;

function pad(data: Uint8Array): Uint8Array {
  const n = 16 - (data.length % 16);
  const out = new Uint8Array(data.length + n);
  out.set(data);
  out.fill(n, data.length);
  return out;
}

function unpad(data: Uint8Array): Uint8Array | undefined {
  const n = data[data.length - 1]!;
  if (n === 0 || n > 16 || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}

/** rclone's per-character rotation amount (the obfuscation's "direction") for each character class. */
function rotate(cp: number, dir: number, sign: 1 | -1): number {
  const mod = (a: number, m: number) => ((a % m) + m) % m;
  if (cp >= 0x30 && cp <= 0x39) return 0x30 + mod(cp - 0x30 + sign * ((dir % 9) + 1), 10);
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    // A-Z then a-z as one alphabet of 52, so that a letter does not trivially map to its other case.
    let pos = cp - 0x41;
    if (pos >= 26) pos -= 6;
    pos = mod(pos + sign * ((dir % 25) + 1), 52);
    return 0x41 + (pos >= 26 ? pos + 6 : pos);
  }
  if (cp >= 0xa0 && cp <= 0xff) return 0xa0 + mod(cp - 0xa0 + sign * ((dir % 95) + 1), 96);
  if (cp >= 0x100) {
    const base = cp - (cp % 256);
    return base + mod(cp - base + sign * ((dir % 127) + 1), 256);
  }
  return cp;
}

const isScalar = (cp: number) => cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);

/**
 * Encrypts and decrypts single names exactly as rclone's crypt does: `standard` is EME over
 * AES-256 (name key, name tweak) of the PKCS#7-padded UTF-8 name, then the chosen encoding;
 * `obfuscate` is rclone's reversible rotation keyed by the name key's byte sum; `off` appends
 * the suffix to file names. Decryption answers undefined for a name this key did not make.
 */
export class NameCipher {
  private readonly eme: Eme;
  private readonly keySum: number;

  constructor(
    private readonly keys: CryptKeys,
    private readonly s: NameSettings,
  ) {
    this.eme = new Eme(keys.nameKey);
    this.keySum = keys.nameKey.reduce((a, b) => a + b, 0);
  }

  /** Longest plain name (UTF-8 bytes) that `standard` can encrypt. */
  static readonly MAX_NAME_BYTES = EME_MAX_BYTES - 1;

  encryptFile(name: string): string {
    if (this.s.mode === 'off') return name + this.s.suffix;
    return this.encryptSegment(name);
  }

  decryptFile(name: string): string | undefined {
    if (this.s.mode === 'off') {
      if (!name.endsWith(this.s.suffix) || name.length === this.s.suffix.length) return undefined;
      return name.slice(0, name.length - this.s.suffix.length);
    }
    return this.decryptSegment(name);
  }

  encryptDir(name: string): string {
    return this.s.mode === 'off' || !this.s.dirNames ? name : this.encryptSegment(name);
  }

  decryptDir(name: string): string | undefined {
    return this.s.mode === 'off' || !this.s.dirNames ? name : this.decryptSegment(name);
  }

  private encryptSegment(name: string): string {
    if (name === '') return '';
    if (this.s.mode === 'obfuscate') return this.obfuscate(name);
    const plain = Buffer.from(name, 'utf8');
    if (plain.length > NameCipher.MAX_NAME_BYTES) throw new RangeError(`name longer than ${NameCipher.MAX_NAME_BYTES} bytes`);
    return this.s.encoding.encode(this.eme.encrypt(this.keys.nameTweak, pad(plain)));
  }

  private decryptSegment(name: string): string | undefined {
    if (name === '') return '';
    if (this.s.mode === 'obfuscate') return this.deobfuscate(name);
    const raw = this.s.encoding.decode(name);
    if (!raw || raw.length === 0 || raw.length % 16 !== 0 || raw.length > EME_MAX_BYTES) return undefined;
    const plain = unpad(this.eme.decrypt(this.keys.nameTweak, raw));
    if (!plain) return undefined;
    try {
      return utf8.decode(plain);
    } catch {
      return undefined;
    }
  }

  private obfuscate(name: string): string {
    if (LONE_SURROGATE.test(name)) return `!.${name}`;
    const cps = Array.from(name, (c) => c.codePointAt(0)!);
    const shown = cps.reduce((a, b) => a + b, 0) % 256;
    const dir = shown + this.keySum;
    let out = `${shown}.`;
    for (const cp of cps) {
      if (cp === QUOTE) {
        out += '!!';
        continue;
      }
      const r = rotate(cp, dir, 1);
      out += isScalar(r) ? String.fromCodePoint(r) : `!${String.fromCodePoint(cp)}`;
    }
    return out;
  }

  private deobfuscate(name: string): string | undefined {
    const dot = name.indexOf('.');
    if (dot < 0) return undefined;
    const num = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    if (num === '!') return rest;
    if (!/^[+-]?\d+$/.test(num)) return undefined;
    const dir = Number(num) + this.keySum;
    let out = '';
    let quoted = false;
    for (const ch of rest) {
      const cp = ch.codePointAt(0)!;
      if (quoted) {
        out += ch;
        quoted = false;
      } else if (cp === QUOTE) quoted = true;
      else out += String.fromCodePoint(rotate(cp, dir, -1));
    }
    return out;
  }
}
