/**
 * Names as rclone 1.60 spells them. The keyed vectors were made with the real rclone (Debian
 * 1.60.1): crypt remotes with password "filebridge-test" and password2 "pepper" (both given to
 * `rclone config create` through `rclone obscure`), read back with `rclone cryptdecode --reverse`.
 * The zero-key ones are rclone's own cipher tests (empty password: all-zero keys).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { base32, base32768, base64, type NameEncoding } from './encodings.js';
import { deriveKeys, type CryptKeys } from './keys.js';
import { NameCipher, type NameMode } from './names.js';

const NAMES = ['dir one', 'hello.txt', '日本語 ファイル.txt', 'with  two spaces .txt', 'emoji 🎉📁.txt', 'a', 'café', '!bang!.txt', '0123456789', 'ÿ Latin'];

const RCLONE: Record<string, string[]> = {
  'standard base32': ['fij7lal9lvcjfldap3e2kstr0g', 'vi0plabd4pm6urcjvmislv8lq0', 'n55i05pep1dr5k0tfkfoiotkeom8doq5hnvkqpflmqnf0chac0pg', 's9drlr731p6l6cj6nhk3rgu9okpba2ma6m097hqjp4nhqccfodag', '4bnhs5e5bdgp5s0k5ce75gfihg6bdk7je5srk9rkh5dkve98topg', 'duvb0loaikao411s0sjjk15hls', 'j2iq29cir1evnleiaqk8okadig', 'mslsqa060g7pq66bavnnblp6bc', '4okvrb1t7dua3jk8kf6qcf3kfg', 'j68qfmtnlggq5a11gnj504kao4'],
  'standard base64': ['fKZ6qqmv2TfVqsjcKnO7BA', '_IGaqW0mbG9tk_2lyv0V0A', 'uUsgFy7IW7LQHX0fiWO0diyG40WN_01l9bau8DIqYDM', '4lu67OMOTVMyZrxoPcPJxTK1Cso1gJPHU8kvHTGPw1U', 'Iu8eFcVbYZLwFCsccsHyjAy20PNxebondIlbT7ko7jM', 'b76wVwqVFYIEPAcnOgSxrw', 'mKWhJZLYXfvV0laojFFNlA', 'tyvNKAYED50Yy1fvddcmWw', 'Jin9rD07fKHOiKPNpjx0fA', 'mZGn27esIaKoIYXmUBKKwQ'],
  'standard base32768': ['撳䓪箕ꐳ攍冃庴騛Ꮏ', 'ꕀ贊各账ꈌ癖燵ꎵ軟', '茅湥谹ᦛ㳀鱔敲訔慶䟸輑虔醏紺葀墊噹ʟ', '鞍锛䊡謵㿓䄱盛権裹厢羦繩䑺疄蒚埯蠊ʟ', '㞷淥弋屹㷀県彅桒汦吔䒮㷛瞛碅峿很鵹ʟ', '帿創螲瞸㙡陼瓔ᘱ繟', '犲躩墻᧿蔎澺睸瞭烟', '臵馪߀杙輦县蕋綆呟', '㥔꜋╇帪㒴䣏䆌拔擟', '猨遖鵕桺㮁ᯗ猀㣊蝟'],
  obfuscate: ['161.mrA xwn', '162.rovvy.DHD', '98.攤杫諝 〔ムャ〪.OSO', '163.HtEs  EHz DAlnpD .EIE', '12.owyts 🏱🐩.DHD', '97.u', '19.trwÂ', '104.!!dcpi!!.vzv', '13.7890123456', '23.Ü gvODI'],
};
/** Same names, standard base32, with no password2 (rclone's built-in salt). */
const NO_SALT = ['eugqnfhavspavvtb55lv2g2pu8', 'kgbblk24vmrr2tk5kdbu8p7750', 'v4eb7fehdq95ldimo4ka007rlnl52jaeohdmipucu82m2riq7id0', 'o8ll43sf0lkqcjh07sgg83btgq66voe67i31t7pcfhcsdl5t2l0g', 'o912uu7arrjctf7t18afpnv33ma53itsolaec10d64pei9j3guig', 'bt5o2uc0njljgmfqooggu1pvk0', '6itgcu37gvo9380iavh8vk4jl8', 'lhri9gjc1n94c0hrj8p6v88r7o', 'ei4ro9h7iefgj8qm7c7j70b704', '4sgmgpu9v642tepto194cvib28'];

const cipher = (keys: CryptKeys, mode: NameMode, encoding: NameEncoding = base32, suffix = '.bin') => new NameCipher(keys, { mode, dirNames: true, encoding, suffix });

describe('names as rclone spells them', () => {
  let keys: CryptKeys;
  let noSalt: CryptKeys;
  const zero = { dataKey: new Uint8Array(32), nameKey: new Uint8Array(32), nameTweak: new Uint8Array(16) };

  beforeAll(async () => {
    keys = await deriveKeys('filebridge-test', 'pepper');
    noSalt = await deriveKeys('filebridge-test', '');
  });

  it('derives the keys (scrypt of the password, salted with password2 or the built-in salt)', async () => {
    expect(keys.dataKey).toHaveLength(32);
    expect(keys.nameTweak).toHaveLength(16);
    expect(noSalt.nameKey).not.toEqual(keys.nameKey);
    expect(await deriveKeys('', 'anything')).toEqual(zero);
  });

  const modes: [string, NameMode, NameEncoding][] = [
    ['standard base32', 'standard', base32],
    ['standard base64', 'standard', base64],
    ['standard base32768', 'standard', base32768],
    ['obfuscate', 'obfuscate', base32],
  ];
  it.for(modes)('%s: encrypts to what rclone wrote and decrypts it back', ([label, mode, enc]) => {
    const c = cipher(keys, mode, enc);
    NAMES.forEach((name, i) => {
      expect(c.encryptFile(name), name).toBe(RCLONE[label]![i]);
      expect(c.encryptDir(name), name).toBe(RCLONE[label]![i]);
      expect(c.decryptFile(RCLONE[label]![i]!), name).toBe(name);
    });
  });

  it('uses rclone\'s built-in salt when password2 is empty', () => {
    const c = cipher(noSalt, 'standard');
    NAMES.forEach((name, i) => expect(c.encryptFile(name)).toBe(NO_SALT[i]));
  });

  it('matches rclone\'s zero-key vectors (its cipher tests)', () => {
    const b32 = cipher(zero, 'standard', base32);
    const b64 = cipher(zero, 'standard', base64);
    expect(b32.encryptFile('1')).toBe('p0e52nreeaj0a5ea7s64m4j72s');
    expect(b32.encryptFile('1234567890123456')).toBe('mijbj0frqf6ms7frcr6bd9h0env53jv96pjaaoirk7forcgpt70g');
    expect(b64.encryptFile('123')).toBe('1CxFf2Mti1xIPYlGruDh-A');
    expect(b64.encryptFile('1234567890123456')).toBe('tKa5gfvTzW4d-2bMtqYgdf5Rz-k2ZqViW6HfjbIZ6cE');
    expect(b32.decryptFile('P0E52NREEAJ0A5EA7S64M4J72S')).toBe('1');
  });

  it('off: adds and strips the suffix on files only, and "none" means no suffix', () => {
    const c = cipher(keys, 'off');
    expect(c.encryptFile('hello.txt')).toBe('hello.txt.bin');
    expect(c.encryptDir('dir one')).toBe('dir one');
    expect(c.decryptFile('hello.txt.bin')).toBe('hello.txt');
    expect(c.decryptFile('hello.txt')).toBeUndefined();
    expect(c.decryptFile('.bin')).toBeUndefined();
    const none = cipher(keys, 'off', base32, '');
    expect(none.encryptFile('x.y')).toBe('x.y');
    expect(none.decryptFile('x.y')).toBe('x.y');
  });

  it('leaves folder names in clear when directory_name_encryption is off', () => {
    const c = new NameCipher(keys, { mode: 'standard', dirNames: false, encoding: base32, suffix: '.bin' });
    expect(c.encryptDir('dir one')).toBe('dir one');
    expect(c.decryptDir('dir one')).toBe('dir one');
    expect(c.encryptFile('hello.txt')).toBe(RCLONE['standard base32']![1]);
  });

  it('refuses names this key did not make (the listing skips them)', () => {
    const c = cipher(keys, 'standard');
    const other = cipher(noSalt, 'standard');
    for (const foreign of ['hello.txt', 'vi0plabd4pm6urcjvmislv8lq', '64p36d1l6orjge9g', '', 'not base32!']) {
      if (foreign !== '') expect(c.decryptFile(foreign), foreign).toBeUndefined();
    }
    // A name made by another key decrypts to garbage in rclone, or fails its padding: here it never yields a name.
    let decoded = 0;
    for (const name of NAMES) if (other.decryptFile(c.encryptFile(name)) !== undefined) decoded++;
    expect(decoded).toBeLessThanOrEqual(1);
    const obf = cipher(keys, 'obfuscate');
    expect(obf.decryptFile('no-dot-here')).toBeUndefined();
    expect(obf.decryptFile('x1.abc')).toBeUndefined();
    expect(obf.decryptFile('!.raw name')).toBe('raw name');
  });

  it('round-trips hostile names in every mode', () => {
    const hostile = ["it's single.txt", 'say "double".txt', '?#%&+ chars.txt', '.leading-dot', '<angle> & amp.txt', 'x'.repeat(200), 'ÀÿĀ\u{10FFFF}\u{1F600}!!!'];
    for (const mode of ['standard', 'obfuscate', 'off'] as const) {
      for (const enc of [base32, base64, base32768]) {
        const c = cipher(keys, mode, enc);
        for (const name of hostile) {
          expect(c.decryptFile(c.encryptFile(name)), `${mode} ${name}`).toBe(name);
          expect(c.decryptDir(c.encryptDir(name)), `${mode} ${name}`).toBe(name);
        }
      }
    }
  });
});
