import { describe, expect, it } from 'vitest';
import { collect, expectFsError, join, names, readAll } from './helpers.js';
import { TEXT, type Kit } from './kit.js';

/** List and stat of the root, files and folders; missing paths. */
export function listAndStatTests(kit: Kit): void {
  const { driver, facts, work, put } = kit;
  describe('list and stat', () => {
    it('stats the root as a folder and lists the working folder in it', async (t) => {
      await work(t);
      const root = await driver().stat('');
      expect(root.isDir).toBe(true);
      expect(await names(driver().list(''))).toContain(kit.base);
    });

    it('lists files and folders with names, sizes and kinds', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'a.txt'), 'abc');
      await put(t, join(dir, 'b.bin'), '');
      await put(t, join(dir, 'sub', 'inner.txt'), 'inner');
      const entries = await collect(driver().list(dir));
      expect(entries.map((e) => [e.name, e.isDir, e.isDir ? 0 : e.size])).toEqual([
        ['a.txt', false, 3],
        ['b.bin', false, 0],
        ['sub', true, 0],
      ]);
      if (facts().mtimePrecisionMs > 0) {
        for (const e of entries.filter((x) => !x.isDir)) expect(e.mtime).toBeInstanceOf(Date);
      }
      expect(await names(driver().list(join(dir, 'sub')))).toEqual(['inner.txt']);
    });

    it('stats files and folders', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'sub', 'f.txt'), TEXT);
      const file = await driver().stat(join(dir, 'sub', 'f.txt'));
      expect(file).toMatchObject({ name: 'f.txt', isDir: false, size: TEXT.length });
      if (facts().mtimePrecisionMs > 0) expect(file.mtime).toBeInstanceOf(Date);
      expect(await driver().stat(join(dir, 'sub'))).toMatchObject({ name: 'sub', isDir: true });
    });

    it('reports missing paths as not_found and refuses to list a file', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'f.txt'), 'x');
      await expectFsError(driver().stat(join(dir, 'missing')), 'not_found');
      await expectFsError(driver().stat(join(dir, 'missing', 'deeper')), 'not_found');
      await expectFsError(collect(driver().list(join(dir, 'missing'))), 'not_found');
      await expectFsError(collect(driver().list(join(dir, 'f.txt'))), 'not_a_directory');
    });
  });
}

/** Whole reads, byte ranges and their edges. */
export function readTests(kit: Kit): void {
  const { driver, work, put } = kit;
  describe('read', () => {
    const ranged = async (path: string, range: { start: number; end?: number }) => {
      const r = await driver().read(path, { range });
      const data = (await readAll(r.stream)).toString();
      if (r.range) return { data, range: r.range, size: r.size };
      // The contract lets a driver stream the whole file instead, saying so by leaving `range` undefined.
      const end = Math.min(range.end ?? Infinity, data.length - 1);
      return { data: data.slice(range.start, end + 1), range: { start: range.start, end }, size: r.size };
    };

    it('reads a whole file', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'f.txt'), TEXT);
      const r = await driver().read(join(dir, 'f.txt'));
      expect(r.size).toBe(TEXT.length);
      expect(r.range).toBeUndefined();
      expect((await readAll(r.stream)).toString()).toBe(TEXT);
    });

    it('honours ranges: first byte, last byte, middle, open end, end clamped to the size', async (t) => {
      const dir = await work(t);
      const f = join(dir, 'f.txt');
      await put(t, f, TEXT);
      expect(await ranged(f, { start: 0, end: 0 })).toEqual({ data: '0', range: { start: 0, end: 0 }, size: 16 });
      expect(await ranged(f, { start: 15, end: 15 })).toEqual({ data: 'f', range: { start: 15, end: 15 }, size: 16 });
      expect(await ranged(f, { start: 3, end: 6 })).toEqual({ data: '3456', range: { start: 3, end: 6 }, size: 16 });
      expect(await ranged(f, { start: 10 })).toMatchObject({ data: 'abcdef', size: 16 });
      const clamped = await driver().read(f, { range: { start: 10, end: 1000 } });
      expect((await readAll(clamped.stream)).toString()).toBe('abcdef');
      if (clamped.range) expect(clamped.range).toEqual({ start: 10, end: 15 });
    });

    it('refuses unsatisfiable ranges with invalid_input', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'f.txt'), TEXT);
      await put(t, join(dir, 'empty'), '');
      await expectFsError(driver().read(join(dir, 'f.txt'), { range: { start: 16 } }), 'invalid_input');
      await expectFsError(driver().read(join(dir, 'f.txt'), { range: { start: 1000, end: 2000 } }), 'invalid_input');
      await expectFsError(driver().read(join(dir, 'empty'), { range: { start: 0 } }), 'invalid_input');
    });

    it('reads empty files, and refuses missing files and folders', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'empty'), '');
      const r = await driver().read(join(dir, 'empty'));
      expect(r.size).toBe(0);
      expect((await readAll(r.stream)).length).toBe(0);
      await expectFsError(driver().read(join(dir, 'missing')), 'not_found');
      await put(t, join(dir, 'sub', 'x'), 'x');
      await expectFsError(driver().read(join(dir, 'sub')), 'is_a_directory');
    });
  });
}
