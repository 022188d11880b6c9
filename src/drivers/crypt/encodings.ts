/** How encrypted names are spelled: rclone's `filename_encoding` (base32, base64, base32768). */
export interface NameEncoding {
  encode(data: Uint8Array): string;
  /** The bytes, or undefined when `text` is not valid in this encoding. */
  decode(text: string): Uint8Array | undefined;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 base32 with the extended-hex alphabet, lower case, without padding; decodes either case. */
export const base32: NameEncoding = {
  encode(data) {
    let out = '';
    let acc = 0;
    let bits = 0;
    for (const byte of data) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        out += BASE32HEX[(acc >> bits) & 31];
      }
      acc &= (1 << bits) - 1;
    }
    if (bits > 0) out += BASE32HEX[(acc << (5 - bits)) & 31];
    return out;
  },
  decode(text) {
    // Lengths a padded encoding cannot have once its "=" are stripped.
    if ([1, 3, 6].includes(text.length % 8)) return undefined;
    const out: number[] = [];
    let acc = 0;
    let bits = 0;
    for (const ch of text.toLowerCase()) {
      const v = BASE32HEX.indexOf(ch);
      if (v < 0) return undefined;
      acc = (acc << 5) | v;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 0xff);
      }
      acc &= (1 << bits) - 1;
    }
    return Uint8Array.from(out);
  },
};

/** RFC 4648 URL-safe base64 without padding (Go's RawURLEncoding). */
export const base64: NameEncoding = {
  encode: (data) => Buffer.from(data).toString('base64url'),
  decode(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
    return new Uint8Array(Buffer.from(text, 'base64url'));
  },
};

/**
 * The base32768 "safe" alphabet rclone uses (github.com/Max-Sum/base32768, after qntm's
 * base32768): 1028 code points, each a multiple of 32, written as ranges of code point / 32. The
 * four lowest spell a final 7-bit group, the other 1024 the 15-bit groups.
 */
const SAFE_32768 =
  'c,12-14,25,28,34-35,3b-3c,3e,80,85,88-8a,8c,8f-91,93,97,99,9d-9e,a1-b2,b5-b6,bc,c1-c2,c6,cc,cf,d1,de,e0,e8,10f,116,11a-11e,' +
  '120,128-13a,13c-13d,140-14b,14d,151-152,154-155,157-15a,160,164-166,168,16a,175-176,18e,1a0-26c,26e-4fd,500-523,525,528-52f,' +
  '532,535-536,538-53a,53c,542';

function base32768Of(ranges: string): NameEncoding {
  const starts: number[] = [];
  for (const r of ranges.split(',')) {
    const [a, b = a] = r.split('-').map((x) => parseInt(x, 16));
    for (let v = a!; v <= b!; v++) starts.push(v << 5);
  }
  const short = starts.slice(0, 4);
  const long = starts.slice(4);
  const splitter = long[0]!;
  const decodeMap = new Map<number, number>();
  long.forEach((cp, i) => decodeMap.set(cp >> 5, i << 5));
  short.forEach((cp, i) => decodeMap.set(cp >> 5, i << 5));
  return {
    encode(data) {
      const units: number[] = [];
      let left = 0;
      let leftn = 0;
      let i = 0;
      while (i < data.length) {
        let chunk = (left << (15 - leftn)) | (data[i]! << (7 - leftn));
        if (leftn < 7 && i + 1 < data.length) {
          chunk |= data[i + 1]! >> (1 + leftn);
          left = data[i + 1]! & ((1 << (1 + leftn)) - 1);
          leftn++;
          i += 2;
        } else {
          chunk |= (1 << (7 - leftn)) - 1; // pad with ones
          left = 0;
          leftn = 0;
          i += 1;
        }
        chunk &= 0x7fff;
        units.push(long[chunk >> 5]! | (chunk & 31));
      }
      if (leftn > 0) {
        const last = ((left << (7 - leftn)) | ((1 << (7 - leftn)) - 1)) & 0x7f;
        units.push(short[last >> 5]! | (last & 31));
      }
      return String.fromCharCode(...units);
    },
    decode(text) {
      const out: number[] = [];
      let left = 0;
      let leftn = 0;
      for (let k = 0; k < text.length; k++) {
        const unit = text.charCodeAt(k);
        const base = decodeMap.get(unit >> 5);
        if (base === undefined) return undefined;
        const d = base | (unit & 31);
        if (unit < splitter) {
          // A final 7-bit group: it ends the data.
          if (leftn > 0) out.push(((left << (8 - leftn)) | (d >> (leftn - 1))) & 0xff);
          return k === text.length - 1 ? Uint8Array.from(out) : undefined;
        }
        if (leftn > 0) {
          out.push(((left << (8 - leftn)) | (d >> (7 + leftn))) & 0xff, (d >> (leftn - 1)) & 0xff);
          left = d & ((1 << (leftn - 1)) - 1);
          leftn--;
        } else {
          out.push(d >> 7);
          left = d & 0x7f;
          leftn = 7;
        }
      }
      return Uint8Array.from(out);
    },
  };
}

export const base32768: NameEncoding = base32768Of(SAFE_32768);

export const NAME_ENCODINGS = { base32, base64, base32768 } as const;
export type NameEncodingId = keyof typeof NAME_ENCODINGS;
