import { describe, expect, it } from 'vitest';
import { bodyAbortingAfter, bodyOf, capability, CHUNK, collect, expectFsError, failingBody, generatedBody, join, names, sha256Of } from './helpers.js';
import { MiB, type Kit } from './kit.js';

/** Writes: empty, large, unknown size, overwrite, mtime, missing parents. */
export function writeTests(kit: Kit): void {
  const { driver, facts, work, putWrite: put, text } = kit;
  describe('write', () => {
    it('writes an empty file and returns its entry', async (t) => {
      const dir = await work(t);
      const entry = await put(t, join(dir, 'empty.txt'), '');
      expect(entry).toMatchObject({ name: 'empty.txt', isDir: false, size: 0 });
      expect(await driver().stat(join(dir, 'empty.txt'))).toMatchObject({ isDir: false, size: 0 });
    });

    it('streams an 8 MiB file of declared size intact', async (t) => {
      const dir = await work(t);
      const write = capability(t, driver(), 'write');
      const body = generatedBody(8 * MiB);
      const entry = await write(join(dir, 'big.bin'), body.stream, { size: 8 * MiB });
      expect(entry.size).toBe(8 * MiB);
      const back = await sha256Of((await driver().read(join(dir, 'big.bin'))).stream);
      expect(back).toEqual({ hex: body.digest(), bytes: 8 * MiB });
    });

    it('writes a body of unknown size', async (t) => {
      if (!facts().unknownSizeWrites) t.skip('driver declares unknownSizeWrites false');
      const dir = await work(t);
      const write = capability(t, driver(), 'write');
      const body = generatedBody(MiB + 12345);
      await write(join(dir, 'stream.bin'), body.stream, {});
      const back = await sha256Of((await driver().read(join(dir, 'stream.bin'))).stream);
      expect(back).toEqual({ hex: body.digest(), bytes: MiB + 12345 });
    });

    it('overwrites an existing file', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'f.txt'), 'the first, longer version');
      await put(t, join(dir, 'f.txt'), 'second');
      expect(await text(join(dir, 'f.txt'))).toBe('second');
      expect((await driver().stat(join(dir, 'f.txt'))).size).toBe(6);
      expect(await names(driver().list(dir))).toEqual(['f.txt']);
    });

    it('honours the given mtime', async (t) => {
      if (!facts().setsMtime) t.skip('driver declares setsMtime false');
      const dir = await work(t);
      const write = capability(t, driver(), 'write');
      const mtime = new Date('2021-03-04T05:06:07.890Z');
      await write(join(dir, 'old.txt'), bodyOf('old'), { size: 3, mtime });
      const tolerance = Math.max(1, facts().mtimePrecisionMs);
      const stated = await driver().stat(join(dir, 'old.txt'));
      expect(Math.abs((stated.mtime?.getTime() ?? 0) - mtime.getTime())).toBeLessThan(tolerance);
      const listed = (await collect(driver().list(dir)))[0];
      expect(Math.abs((listed?.mtime?.getTime() ?? 0) - mtime.getTime())).toBeLessThan(tolerance);
    });

    it('creates missing parent folders', async (t) => {
      const dir = await work(t);
      await put(t, join(dir, 'a', 'b', 'c', 'deep.txt'), 'deep');
      expect(await driver().stat(join(dir, 'a', 'b'))).toMatchObject({ isDir: true });
      expect(await text(join(dir, 'a', 'b', 'c', 'deep.txt'))).toBe('deep');
    });
  });
}

/** Writes that fail leave nothing visible and old content intact. */
export function failedWriteTests(kit: Kit): void {
  const { driver, work, put, text } = kit;
  describe('failed writes', () => {
    it('fails a declared size mismatch with invalid_input and leaves no file', async (t) => {
      const dir = await work(t);
      const write = capability(t, driver(), 'write');
      await expectFsError(write(join(dir, 'short.txt'), bodyOf('12345'), { size: 10 }), 'invalid_input');
      await expectFsError(write(join(dir, 'long.txt'), bodyOf('1234567890'), { size: 4 }), 'invalid_input');
      expect(await names(driver().list(dir))).toEqual([]);
    });

    it('an upload whose body fails midway leaves nothing visible and the old content intact', async (t) => {
      const dir = await work(t);
      const write = capability(t, driver(), 'write');
      await put(t, join(dir, 'keep.txt'), 'original');
      await expectFsError(write(join(dir, 'new.bin'), failingBody(3), {}), 'aborted');
      await expectFsError(write(join(dir, 'keep.txt'), failingBody(3), {}), 'aborted');
      expect(await names(driver().list(dir))).toEqual(['keep.txt']);
      expect(await text(join(dir, 'keep.txt'))).toBe('original');
    });

    it('the same with a declared size, large and small (small bodies may be received whole first)', async (t) => {
      const dir = await work(t);
      const write = capability(t, driver(), 'write');
      await put(t, join(dir, 'keep.txt'), 'original');
      for (const size of [4 * CHUNK - 1024, 16 * CHUNK]) {
        await expectFsError(write(join(dir, `new-${size}.bin`), failingBody(3), { size }), 'aborted');
        await expectFsError(write(join(dir, 'keep.txt'), failingBody(3), { size }), 'aborted');
        const c = new AbortController();
        await expectFsError(write(join(dir, 'keep.txt'), bodyAbortingAfter(3, c), { size, signal: c.signal }), 'aborted');
      }
      expect(await names(driver().list(dir))).toEqual(['keep.txt']);
      expect(await text(join(dir, 'keep.txt'))).toBe('original');
    });

    it('an upload aborted through its signal leaves nothing visible and the old content intact', async (t) => {
      const dir = await work(t);
      const write = capability(t, driver(), 'write');
      await put(t, join(dir, 'keep.txt'), 'original');
      const c1 = new AbortController();
      await expectFsError(write(join(dir, 'new.bin'), bodyAbortingAfter(3, c1), { signal: c1.signal }), 'aborted');
      const c2 = new AbortController();
      await expectFsError(write(join(dir, 'keep.txt'), bodyAbortingAfter(3, c2), { signal: c2.signal }), 'aborted');
      expect(await names(driver().list(dir))).toEqual(['keep.txt']);
      expect(await text(join(dir, 'keep.txt'))).toBe('original');
    });
  });
}
