import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Eme } from './eme.js';

/** The EME-32 vector of IEEE P1619 (pdf00020): AES-256 key, tweak and 512-byte input all zero. */
const ZERO_512 =
  '9f2e6c3daecae79e8839b0588ff378cd0668970b95691cb00182b9e34cd658ed3c9c276838cc5e1411fcb8cf3da1c0f30875804c9df51157b0791100d2551334' +
  '834cf4024f6b718fbc7daba07d14eb7cbc79c261b1eb036d0c9f85b914385840727284005f06a9c1627c0b7fb12a1f81fa83c4b035db006cce846d0756db9fb2' +
  '448ee5628d2376ee13954213db3dca725f2c67950eaf2cdac8a27a0433a14c96927d9145dd93e0b46e670f6c4db8add014b8880efb9a97bec5cd05bba43dcc35' +
  '058045ae8168df6e67779198fcc72808ce29c7b5aefdbc9e3ee65117283bfa2e195f82ce1962dd8112cb57e8040d776733d3bb331ea6300f91dee0cbeb2fc9af' +
  'd341f5515e22371e442b86e70287546a166ec2aef89f291be62afc2a96891e446ef6f162735574d10cff4a183de2760b5e145deaad3efde1da4b2836c665c5ec' +
  '4b54cb989d277311c42db4862db2920c3942958e54f64e365e52190ed81a02d73bf78a8ae5cc83e03203ef421614b79ae984b67ee93483d5eb1ea7b4fd954cc3' +
  '5059bd4d932ef34271825045d73effef2ed3489871fda2cc73924b4d459d1c6ee525421e0550d3ab876f615395ac4a54d20478a442d85c9a3c9c7fa148f2b9dc' +
  'adaa83cf40e9e464da6036a55cdb873b50c1060ecc27b48dc0afc76ef73f1489281c08efce7fec47edd823f2f562b333ac209c2cd3cc577c28eedaafcedd89a6';

const zeros = (n: number) => new Uint8Array(n);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('EME over AES-256', () => {
  const eme = new Eme(zeros(32));

  it('matches the one-block vector (all zero key, tweak and input)', () => {
    expect(hex(eme.encrypt(zeros(16), zeros(16)))).toBe('f1b9ce8ca15a4ba9fb476905434b9fd3');
  });

  it('matches the IEEE P1619 EME-32 vector for 512 bytes, and decrypts it back', () => {
    const out = eme.encrypt(zeros(16), zeros(512));
    expect(hex(out)).toBe(ZERO_512);
    expect(hex(eme.decrypt(zeros(16), out))).toBe(hex(zeros(512)));
  });

  it('matches the 2048-byte (128-block, the most) vector of rfjakob/eme', () => {
    const out = eme.encrypt(zeros(16), zeros(2048));
    expect(createHash('sha256').update(out).digest('hex')).toBe('44ea4ab31f9e4c83420f1bfe7782ded2e2421c92ac416a830cf46f3ea4cb5ff1');
    expect(eme.decrypt(zeros(16), out)).toEqual(zeros(2048));
  });

  it('round-trips any whole number of blocks under a key and tweak, and the tweak matters', () => {
    const keyed = new Eme(Uint8Array.from({ length: 32 }, (_, i) => i * 7));
    const tweak = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    for (const blocks of [1, 2, 3, 17, 128]) {
      const data = Uint8Array.from({ length: blocks * 16 }, (_, i) => (i * 31) & 0xff);
      const enc = keyed.encrypt(tweak, data);
      expect(enc).not.toEqual(data);
      expect(keyed.decrypt(tweak, enc)).toEqual(data);
      expect(keyed.encrypt(zeros(16), data)).not.toEqual(enc);
    }
  });

  it('refuses inputs that are not 1 to 128 whole blocks', () => {
    expect(() => eme.encrypt(zeros(16), zeros(0))).toThrow(/1 to 128/);
    expect(() => eme.encrypt(zeros(16), zeros(15))).toThrow(/1 to 128/);
    expect(() => eme.encrypt(zeros(16), zeros(2064))).toThrow(/1 to 128/);
  });
});
