import { describe, expect, it } from 'vitest';
import { isFsError } from '../../src/core/errors.js';
import { capability, collect, expectFsError, join, names } from './helpers.js';
import type { Kit } from './kit.js';

/** mkdir and remove. */
export function mkdirRemoveTests(kit: Kit): void {
  const { driver, work, put, text } = kit;
  describe('mkdir', () => {
    it('is idempotent', async (t) => {
      const dir = await work(t);
      const mkdir = capability(t, driver(), 'mkdir');
      await mkdir(join(dir, 'x'));
      await mkdir(join(dir, 'x'));
      expect(await collect(driver().list(dir))).toMatchObject([{ name: 'x', isDir: true }]);
    });

    it('creates nested folders', async (t) => {
      const dir = await work(t);
      const mkdir = capability(t, driver(), 'mkdir');
      await mkdir(join(dir, 'p', 'q', 'r'));
      expect(await driver().stat(join(dir, 'p', 'q', 'r'))).toMatchObject({ name: 'r', isDir: true });
      expect(await names(driver().list(join(dir, 'p')))).toEqual(['q']);
    });
  });

  describe('remove', () => {
    it('removes a file and an empty folder', async (t) => {
      const dir = await work(t);
      const remove = capability(t, driver(), 'remove');
      await put(t, join(dir, 'f.txt'), 'x');
      await capability(t, driver(), 'mkdir')(join(dir, 'empty'));
      await remove(join(dir, 'f.txt'));
      await remove(join(dir, 'empty'));
      await expectFsError(driver().stat(join(dir, 'f.txt')), 'not_found');
      expect(await names(driver().list(dir))).toEqual([]);
    });

    it('refuses a non-empty folder without recursive, removes it with', async (t) => {
      const dir = await work(t);
      const remove = capability(t, driver(), 'remove');
      await put(t, join(dir, 'full', 'sub', 'f.txt'), 'x');
      await expectFsError(remove(join(dir, 'full')), 'directory_not_empty');
      expect(await text(join(dir, 'full', 'sub', 'f.txt'))).toBe('x');
      await remove(join(dir, 'full'), { recursive: true });
      await expectFsError(driver().stat(join(dir, 'full')), 'not_found');
    });

    it('reports a missing path as not_found', async (t) => {
      const dir = await work(t);
      await expectFsError(capability(t, driver(), 'remove')(join(dir, 'missing')), 'not_found');
    });
  });
}

/** Move, rename and copy within the storage. */
export function moveCopyTests(kit: Kit): void {
  const { driver, work, put, text } = kit;
  describe('move and copy', () => {
    it('renames and moves files', async (t) => {
      const dir = await work(t);
      const move = capability(t, driver(), 'move');
      await put(t, join(dir, 'a.txt'), 'content a');
      await put(t, join(dir, 'other', 'keep'), '');
      await move(join(dir, 'a.txt'), join(dir, 'b.txt'));
      expect(await text(join(dir, 'b.txt'))).toBe('content a');
      await move(join(dir, 'b.txt'), join(dir, 'other', 'c.txt'));
      expect(await names(driver().list(dir))).toEqual(['other']);
      expect(await text(join(dir, 'other', 'c.txt'))).toBe('content a');
    });

    it('moves folders with their content', async (t) => {
      const dir = await work(t);
      const move = capability(t, driver(), 'move');
      await put(t, join(dir, 'src', 'nested', 'f.txt'), 'nested file');
      await move(join(dir, 'src'), join(dir, 'dst'));
      await expectFsError(driver().stat(join(dir, 'src')), 'not_found');
      expect(await text(join(dir, 'dst', 'nested', 'f.txt'))).toBe('nested file');
    });

    it('refuses to move onto an existing entry or a folder into itself', async (t) => {
      const dir = await work(t);
      const move = capability(t, driver(), 'move');
      await put(t, join(dir, 'a.txt'), 'a');
      await put(t, join(dir, 'b.txt'), 'b');
      await expectFsError(move(join(dir, 'a.txt'), join(dir, 'b.txt')), 'already_exists');
      expect([await text(join(dir, 'a.txt')), await text(join(dir, 'b.txt'))]).toEqual(['a', 'b']);
      await put(t, join(dir, 'folder', 'x'), 'x');
      await expectFsError(move(join(dir, 'folder'), join(dir, 'folder', 'inside')), 'invalid_path');
      await expectFsError(move(join(dir, 'missing'), join(dir, 'c.txt')), 'not_found');
    });

    it('copies files and folders', async (t) => {
      const dir = await work(t);
      const copy = capability(t, driver(), 'copy');
      await put(t, join(dir, 'f.txt'), 'file');
      await put(t, join(dir, 'tree', 'sub', 'g.txt'), 'tree file');
      try {
        await copy(join(dir, 'f.txt'), join(dir, 'f2.txt'));
      } catch (err) {
        if (isFsError(err, 'not_supported')) t.skip('driver copy reports not_supported (core streams instead)');
        throw err;
      }
      await copy(join(dir, 'tree'), join(dir, 'tree2'));
      expect([await text(join(dir, 'f.txt')), await text(join(dir, 'f2.txt'))]).toEqual(['file', 'file']);
      expect(await text(join(dir, 'tree', 'sub', 'g.txt'))).toBe('tree file');
      expect(await text(join(dir, 'tree2', 'sub', 'g.txt'))).toBe('tree file');
      await expectFsError(copy(join(dir, 'f.txt'), join(dir, 'f2.txt')), 'already_exists');
      await expectFsError(copy(join(dir, 'tree'), join(dir, 'f.txt')), 'already_exists');
      expect(await text(join(dir, 'f.txt'))).toBe('file');
    });
  });
}
