import { createHash, getHashes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { capability, collect, join, names } from './helpers.js';
import { TEXT, type Kit } from './kit.js';

/** Names that break naive URL, shell, XML or normalisation handling; each must round-trip. */
export const HOSTILE_NAMES: readonly string[] = [
  '日本語 ファイル.txt',
  'caf\u00e9.txt',
  'with  two spaces .txt',
  "it's single.txt",
  'say "double".txt',
  '?#%&+ chars.txt',
  '%20 percent 100%.txt',
  '.leading-dot',
  'brackets [] {} ().txt',
  'emoji 🎉📁.txt',
  'semi;colon,comma=eq@at!.txt',
  '<angle> & amp.txt',
];

/** Hostile names round-trip. */
export function hostileNameTests(kit: Kit): void {
  const { driver, work, put, text } = kit;
  describe('hostile names', () => {
    it.for(HOSTILE_NAMES)('%s round-trips through write, list, stat, read and remove', async (hostile, t) => {
      const dir = await work(t);
      const file = join(dir, hostile);
      const content = `content of ${hostile}`;
      await put(t, file, content);
      expect(await names(driver().list(dir))).toEqual([hostile]);
      expect(await driver().stat(file)).toMatchObject({ name: hostile, isDir: false, size: Buffer.byteLength(content) });
      expect(await text(file)).toBe(content);
      // A read-only view of seeded files has nothing more to round-trip.
      if (kit.seeded() && !driver().remove) return;
      await capability(t, driver(), 'remove')(file);
      expect(await names(driver().list(dir))).toEqual([]);
    });

    it('hostile folder names hold files', async (t) => {
      const dir = await work(t);
      const folder = join(dir, 'dir ?#%&+ 日本語 \'" 🎉 [x]');
      await put(t, join(folder, '.hidden file'), 'inside');
      expect(await collect(driver().list(dir))).toMatchObject([{ name: 'dir ?#%&+ 日本語 \'" 🎉 [x]', isDir: true }]);
      expect(await names(driver().list(folder))).toEqual(['.hidden file']);
      expect(await text(join(folder, '.hidden file'))).toBe('inside');
    });
  });
}

/** The declared facts hold. */
export function factTests(kit: Kit): void {
  const { driver, facts, work, put, text } = kit;
    describe('declared facts', () => {
      it('link() is present exactly when the driver is not proxy-only', () => {
        expect(driver().link === undefined).toBe(facts().proxyOnly);
      });

      it('case sensitivity is as declared', async (t) => {
        const dir = await work(t);
        await put(t, join(dir, 'Aa'), 'upper first');
        if (facts().caseSensitive) {
          await put(t, join(dir, 'aA'), 'lower first');
          expect(await names(driver().list(dir))).toEqual(['Aa', 'aA']);
          expect([await text(join(dir, 'Aa')), await text(join(dir, 'aA'))]).toEqual(['upper first', 'lower first']);
        } else {
          expect(await driver().stat(join(dir, 'aA'))).toMatchObject({ isDir: false, size: 11 });
        }
      });

      it('empty folders persist when declared', async (t) => {
        if (!facts().emptyDirs) t.skip('driver declares emptyDirs false');
        const dir = await work(t);
        await capability(t, driver(), 'mkdir')(join(dir, 'empty'));
        expect(await collect(driver().list(dir))).toMatchObject([{ name: 'empty', isDir: true }]);
        expect(await collect(driver().list(join(dir, 'empty')))).toEqual([]);
      });

      it('declared hashes are returned with correct values', async (t) => {
        if (facts().hashes.length === 0) t.skip('driver declares no hashes');
        const dir = await work(t);
        await put(t, join(dir, 'h.txt'), TEXT);
        const stated = await driver().stat(join(dir, 'h.txt'));
        const listed = (await collect(driver().list(dir)))[0];
        for (const alg of facts().hashes) {
          if (!getHashes().includes(alg)) continue; // node:crypto cannot compute it here; checked by the driver's own tests
          const want = createHash(alg).update(TEXT).digest('hex');
          expect(stated.hashes?.[alg], `stat ${alg}`).toBe(want);
          expect(listed?.hashes?.[alg], `list ${alg}`).toBe(want);
        }
    });
  });
}
