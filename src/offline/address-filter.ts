import { isIP } from 'node:net';

/**
 * What an address is, for the offline-download SSRF rule: `public` is the only kind a download
 * may connect to unless an administrator allows private addresses. IPv6 forms that carry an IPv4
 * address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by the IPv4 address they carry.
 */
export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'multicast'
  | 'reserved'
  | 'documentation'
  | 'invalid';

interface Range {
  base: number[];
  bits: number;
  kind: AddressKind;
}

const V4_RANGES: readonly Range[] = [
  { base: [0, 0, 0, 0], bits: 8, kind: 'unspecified' },
  { base: [10, 0, 0, 0], bits: 8, kind: 'private' },
  { base: [100, 64, 0, 0], bits: 10, kind: 'cgnat' },
  { base: [127, 0, 0, 0], bits: 8, kind: 'loopback' },
  { base: [169, 254, 0, 0], bits: 16, kind: 'link-local' },
  { base: [172, 16, 0, 0], bits: 12, kind: 'private' },
  { base: [192, 0, 0, 0], bits: 24, kind: 'reserved' },
  { base: [192, 0, 2, 0], bits: 24, kind: 'documentation' },
  { base: [192, 88, 99, 0], bits: 24, kind: 'reserved' },
  { base: [192, 168, 0, 0], bits: 16, kind: 'private' },
  { base: [198, 18, 0, 0], bits: 15, kind: 'reserved' },
  { base: [198, 51, 100, 0], bits: 24, kind: 'documentation' },
  { base: [203, 0, 113, 0], bits: 24, kind: 'documentation' },
  { base: [224, 0, 0, 0], bits: 4, kind: 'multicast' },
  { base: [240, 0, 0, 0], bits: 4, kind: 'reserved' },
];

const V6_RANGES: readonly Range[] = [
  { base: [0xfe, 0x80], bits: 10, kind: 'link-local' },
  { base: [0xfe, 0xc0], bits: 10, kind: 'private' }, // site-local (deprecated), private in effect
  { base: [0xfc, 0x00], bits: 7, kind: 'unique-local' },
  { base: [0xff, 0x00], bits: 8, kind: 'multicast' },
  { base: [0x01, 0x00, 0, 0, 0, 0, 0, 0], bits: 64, kind: 'reserved' }, // discard prefix
  { base: [0x20, 0x01, 0x0d, 0xb8], bits: 32, kind: 'documentation' },
  { base: [0x20, 0x01, 0x00, 0x00], bits: 32, kind: 'reserved' }, // Teredo: tunnels to anywhere
  { base: [0x20, 0x01, 0x00, 0x10], bits: 28, kind: 'reserved' }, // ORCHID
];

function inRange(bytes: readonly number[], r: Range): boolean {
  let bits = r.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((r.base[i] ?? 0) & mask)) return false;
  }
  return true;
}

function parseV4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? bytes : undefined;
}

/** The 16 bytes of an IPv6 address (zone ids and an embedded dotted IPv4 tail allowed). */
export function parseV6(text: string): number[] | undefined {
  let s = text.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return undefined;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = s.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const fill = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const words = [...left, ...fill, ...right];
  if (words.length !== 8) return undefined;
  const bytes = words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function classifyV4(bytes: readonly number[]): AddressKind {
  if (bytes.every((b) => b === 255)) return 'reserved'; // limited broadcast
  for (const r of V4_RANGES) if (inRange(bytes, r)) return r.kind;
  return 'public';
}

function classifyV6(bytes: readonly number[]): AddressKind {
  const zeroUpTo = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && bytes[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated): the IPv4 address decides.
  if (zeroUpTo(10) && bytes[10] === 0xff && bytes[11] === 0xff) return classifyV4(bytes.slice(12));
  if (zeroUpTo(12)) return classifyV4(bytes.slice(12));
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local NAT64) carry an IPv4 address in the last 32 bits.
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) return classifyV4(bytes.slice(12));
  // 2002::/16 (6to4) carries one in bits 16..48.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return classifyV4(bytes.slice(2, 6));
  for (const r of V6_RANGES) if (inRange(bytes, r)) return r.kind;
  return 'public';
}

/** The kind of a literal IPv4 or IPv6 address (brackets and a zone id allowed for IPv6). */
export function classifyAddress(address: string): AddressKind {
  const v4 = parseV4(address);
  if (v4 && isIP(address) === 4) return classifyV4(v4);
  const v6 = parseV6(address);
  if (v6) return classifyV6(v6);
  return 'invalid';
}

/** Whether a download may connect to `address`: public ones always, the rest only when `allowPrivate`. */
export function addressAllowed(address: string, allowPrivate: boolean): boolean {
  const kind = classifyAddress(address);
  if (kind === 'invalid') return false;
  return kind === 'public' || allowPrivate;
}
