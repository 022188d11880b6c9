import { describe, expect, it } from 'vitest';
import { base32, base32768, base64, type NameEncoding } from './encodings.js';

// The spellings of "", "1", "12", ... "1234567890123456" in rclone's cipher tests.
const BASE32 = ['', '64', '64p0', '64p36', '64p36d0', '64p36d1l', '64p36d1l6o', '64p36d1l6org', '64p36d1l6orjg', '64p36d1l6orjge8', '64p36d1l6orjge9g', '64p36d1l6orjge9g64', '64p36d1l6orjge9g64p0', '64p36d1l6orjge9g64p36', '64p36d1l6orjge9g64p36d0', '64p36d1l6orjge9g64p36d1l', '64p36d1l6orjge9g64p36d1l6o'];
const BASE64 = ['', 'MQ', 'MTI', 'MTIz', 'MTIzNA', 'MTIzNDU', 'MTIzNDU2', 'MTIzNDU2Nw', 'MTIzNDU2Nzg', 'MTIzNDU2Nzg5', 'MTIzNDU2Nzg5MA', 'MTIzNDU2Nzg5MDE', 'MTIzNDU2Nzg5MDEy', 'MTIzNDU2Nzg5MDEyMw', 'MTIzNDU2Nzg5MDEyMzQ', 'MTIzNDU2Nzg5MDEyMzQ1', 'MTIzNDU2Nzg5MDEyMzQ1Ng'];
const BASE32768 = ['', '㼿', '㻙ɟ', '㻙ⲿ', '㻙ⲍƟ', '㻙ⲍ⍟', '㻙ⲍ⍆ʏ', '㻙ⲍ⍆觟', '㻙ⲍ⍆觓ɧ', '㻙ⲍ⍆觓栯', '㻙ⲍ⍆觓栩ɣ', '㻙ⲍ⍆觓栩朧', '㻙ⲍ⍆觓栩朤ʅ', '㻙ⲍ⍆觓栩朤談', '㻙ⲍ⍆觓栩朤諆ɔ', '㻙ⲍ⍆觓栩朤諆媕', '㻙ⲍ⍆觓栩朤諆媕䆿'];

const input = (n: number) => Buffer.from('1234567890123456'.slice(0, n));

function vectors(name: string, enc: NameEncoding, spelled: string[]): void {
  it(`${name} spells rclone's vectors and reads them back`, () => {
    spelled.forEach((text, n) => {
      expect(enc.encode(input(n)), `encode ${n}`).toBe(text);
      expect(Buffer.from(enc.decode(text) ?? []).toString(), `decode ${text}`).toBe(input(n).toString());
    });
  });
}

describe('name encodings', () => {
  vectors('base32', base32, BASE32);
  vectors('base64', base64, BASE64);
  vectors('base32768', base32768, BASE32768);

  it('base32 reads upper case too, and refuses padding and foreign letters', () => {
    expect(Buffer.from(base32.decode('64P36D1L') ?? []).toString()).toBe('12345');
    for (const bad of ['64=', '!', 'hello=hello', 'w', '64p']) expect(base32.decode(bad), bad).toBeUndefined();
  });

  it('base64 refuses padding and foreign characters', () => {
    for (const bad of ['64=', '!', 'Hello=Hello', 'a+b/', 'M']) expect(base64.decode(bad), bad).toBeUndefined();
  });

  it('base32768 refuses characters outside its alphabet', () => {
    for (const bad of ['!', '㻙ⲿ=㻙ⲿ', 'a']) expect(base32768.decode(bad), bad).toBeUndefined();
  });

  it('all three round-trip random bytes of every length up to 64', () => {
    for (let n = 0; n <= 64; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 89 + n * 13) & 0xff);
      for (const enc of [base32, base64, base32768]) expect(enc.decode(enc.encode(data))).toEqual(data);
    }
  });
});
