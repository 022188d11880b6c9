import { mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Driver } from '../../src/core/storage/index.js';
import { localDriver } from '../../src/drivers/local/local.js';
import { createTestContext, type DriverTestContext } from '../conformance/context.js';
import { bodyOf, expectFsError } from '../conformance/helpers.js';

const TMP = '.filebridge-tmp';

/** This process's descriptors whose path starts with `prefix` (the driver runs in this process). */
function openBelow(prefix: string): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((p) => p === prefix || p.startsWith(`${prefix}/`) || p.startsWith(`${prefix} `));
}

/**
 * The Local driver keeps its temp folder open across uploads (one open and close fewer for each):
 * that must never let an upload write where the folder no longer is, nor keep it open for good.
 */
describe('Local driver: the temp folder held across uploads', () => {
  let root: string;
  let outside: string;
  let tc: DriverTestContext;
  let d: Required<Pick<Driver, 'write' | 'read' | 'close'>>;

  beforeEach(async () => {
    root = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'filebridge-tempdir-')));
    outside = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'filebridge-tempdir-out-')));
    tc = await createTestContext();
    const driver = localDriver.create(localDriver.schema.parse({ root_folder_path: root }), tc.ctx);
    await driver.init?.(AbortSignal.timeout(10_000));
    d = driver as typeof d;
  });
  afterEach(async () => {
    await d.close();
    await tc.cleanup();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const small = (s: string) => d.write(`${s}.txt`, bodyOf(s), { size: Buffer.byteLength(s) });
  const streamed = (s: string) => d.write(`${s}.txt`, bodyOf(s));

  it('after the folder is renamed away, uploads use a new one and leave nothing in the old', async () => {
    await small('one');
    await rename(path.join(root, TMP), path.join(root, 'moved-tmp'));
    await small('two');
    await streamed('three');
    expect(await readdir(path.join(root, 'moved-tmp'))).toEqual([]);
    expect((await readdir(root)).sort()).toEqual([TMP, 'moved-tmp', 'one.txt', 'three.txt', 'two.txt']);
    expect(await readFile(path.join(root, 'two.txt'), 'utf8')).toBe('two');
    // The renamed folder is not held any more.
    expect(openBelow(path.join(root, 'moved-tmp'))).toEqual([]);
  });

  it('after the folder is removed, uploads make it again', async () => {
    await small('one');
    await rm(path.join(root, TMP), { recursive: true });
    await small('two');
    await streamed('three');
    expect(await readFile(path.join(root, 'three.txt'), 'utf8')).toBe('three');
    expect(await readdir(path.join(root, TMP))).toEqual([]);
  });

  it('a folder replaced by a symbolic link is refused, and nothing lands outside', async () => {
    await small('one');
    await rename(path.join(root, TMP), path.join(root, 'moved-tmp'));
    await symlink(outside, path.join(root, TMP));
    await expectFsError(small('two'), 'permission_denied');
    await expectFsError(streamed('three'), 'permission_denied');
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(path.join(root, 'moved-tmp'))).toEqual([]);
  });

  it('uploads running while the folder is renamed all land whole, and none stays behind in it', async () => {
    await small('warm');
    const names = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const writes = names.map((n, i) => (i % 2 ? small(n) : streamed(n)));
    await rename(path.join(root, TMP), path.join(root, 'moved-tmp'));
    const results = await Promise.allSettled(writes);
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') expect(await readFile(path.join(root, `${names[i]}.txt`), 'utf8')).toBe(names[i]);
    }
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0);
    expect(await readdir(path.join(root, 'moved-tmp'))).toEqual([]);
  });

  it('close lets the folder go', async () => {
    await small('one');
    expect(openBelow(path.join(root, TMP))).toHaveLength(1);
    await d.close();
    expect(openBelow(path.join(root, TMP))).toEqual([]);
  });
});
