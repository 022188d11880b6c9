import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsError } from '../../src/core/errors.js';
import { renameIntoPlace } from '../../src/drivers/local/atomic-write.js';
import { localDriver } from '../../src/drivers/local/local.js';
import type { Driver } from '../../src/core/storage/index.js';
import { createTestContext, type DriverTestContext } from '../conformance/context.js';
import { bodyOf, collect, expectFsError, names, readAll } from '../conformance/helpers.js';

const TMP = '.filebridge-tmp';

interface Fixture {
  root: string;
  outside: string;
  driver: Driver;
  make(options?: Record<string, unknown>): Promise<Driver>;
}

type Methods = Required<Driver>;

describe('Local driver: containment and temp folder', () => {
  const fx = {} as Fixture;
  let tc: DriverTestContext;

  beforeEach(async () => {
    fx.root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-root-'));
    fx.outside = await mkdtemp(path.join(os.tmpdir(), 'filebridge-outside-'));
    tc = await createTestContext();
    await writeFile(path.join(fx.outside, 'secret.txt'), 'TOP SECRET');
    await mkdir(path.join(fx.root, 'inside'));
    await writeFile(path.join(fx.root, 'inside', 'real.txt'), 'real');
    await symlink(fx.outside, path.join(fx.root, 'out'));
    await symlink(path.join(fx.outside, 'secret.txt'), path.join(fx.root, 'outfile'));
    await symlink(path.join(fx.outside, 'missing'), path.join(fx.root, 'dangling'));
    await symlink('inside', path.join(fx.root, 'in'));
    await symlink('inside/real.txt', path.join(fx.root, 'infile'));
    fx.make = async (options = {}) => {
      const d = localDriver.create(localDriver.schema.parse({ root_folder_path: fx.root, ...options }), tc.ctx);
      await d.init?.(AbortSignal.timeout(10_000));
      return d;
    };
    fx.driver = await fx.make();
  });

  afterEach(async () => {
    await tc.cleanup();
    await rm(fx.root, { recursive: true, force: true });
    await rm(fx.outside, { recursive: true, force: true });
  });

  const d = (): Methods => fx.driver as Methods;

  it('refuses traversal segments passed directly to the driver', async () => {
    for (const p of ['..', '../x', 'a/../../x', 'inside/../../x', './x', 'a//b', '/x', 'x\0y']) {
      await expectFsError(d().stat(p), 'invalid_path');
      await expectFsError(d().read(p), 'invalid_path');
      await expectFsError(collect(d().list(p)), 'invalid_path');
      await expectFsError(d().write(p, bodyOf('x')), 'invalid_path');
      await expectFsError(d().mkdir(p), 'invalid_path');
      await expectFsError(d().remove(p, { recursive: true }), 'invalid_path');
      await expectFsError(d().move('inside', p), 'invalid_path');
      await expectFsError(d().copy(p, 'copy'), 'invalid_path');
    }
    expect(existsSync(path.join(path.dirname(fx.root), 'x'))).toBe(false);
    expect(await readdir(path.join(fx.root, 'inside'))).toEqual(['real.txt']);
  });

  it('does not list, stat, read or list into a symlink that leads outside', async () => {
    expect(await names(d().list(''))).toEqual(['in', 'infile', 'inside']);
    for (const p of ['out', 'outfile', 'out/secret.txt']) await expectFsError(d().stat(p), 'permission_denied');
    await expectFsError(d().read('outfile'), 'permission_denied');
    await expectFsError(d().read('out/secret.txt'), 'permission_denied');
    await expectFsError(collect(d().list('out')), 'permission_denied');
    await expectFsError(d().stat('dangling'), 'not_found');
  });

  it('does not write, create, move or copy through a symlink that leads outside', async () => {
    await expectFsError(d().write('out/new.txt', bodyOf('x')), 'permission_denied');
    await expectFsError(d().write('out/deep/new.txt', bodyOf('x')), 'permission_denied');
    await expectFsError(d().write('outfile', bodyOf('overwritten')), 'permission_denied');
    await expectFsError(d().write('dangling', bodyOf('x')), 'permission_denied');
    await expectFsError(d().write('dangling/x', bodyOf('x')), 'permission_denied');
    await expectFsError(d().mkdir('out/newdir'), 'permission_denied');
    await expectFsError(d().move('out/secret.txt', 'stolen.txt'), 'permission_denied');
    await expectFsError(d().move('inside/real.txt', 'out/real.txt'), 'permission_denied');
    await expectFsError(d().copy('outfile', 'copy.txt'), 'permission_denied');
    await expectFsError(d().copy('out', 'copydir'), 'permission_denied');
    await expectFsError(d().copy('inside', 'out/inside'), 'permission_denied');
    expect((await readdir(fx.outside)).sort()).toEqual(['secret.txt']);
    expect(await readFile(path.join(fx.outside, 'secret.txt'), 'utf8')).toBe('TOP SECRET');
    expect(await readdir(path.join(fx.root, 'inside'))).toEqual(['real.txt']);
  });

  it('never removes through a symlink that leads outside; removing the link removes only the link', async () => {
    await expectFsError(d().remove('out/secret.txt'), 'permission_denied');
    await d().remove('out', { recursive: true });
    await d().remove('outfile');
    expect(await readFile(path.join(fx.outside, 'secret.txt'), 'utf8')).toBe('TOP SECRET');
    expect(existsSync(path.join(fx.root, 'out'))).toBe(false);
  });

  it('follows symlinks that stay inside the root', async () => {
    expect(await d().stat('in')).toMatchObject({ name: 'in', isDir: true });
    expect(await names(d().list('in'))).toEqual(['real.txt']);
    expect((await readAll((await d().read('infile')).stream)).toString()).toBe('real');
    await d().write('in/new.txt', bodyOf('new'));
    expect(await readFile(path.join(fx.root, 'inside', 'new.txt'), 'utf8')).toBe('new');
    await d().write('infile', bodyOf('through the link'));
    expect((await lstat(path.join(fx.root, 'infile'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(fx.root, 'inside', 'real.txt'), 'utf8')).toBe('through the link');
  });

  it('keeps the temp folder out of reach', async () => {
    await symlink(TMP, path.join(fx.root, 'tmplink'));
    await writeFile(path.join(fx.root, TMP, 'x.part'), 'partial');
    expect(await names(d().list(''))).not.toContain(TMP);
    expect(await names(d().list(''))).not.toContain('tmplink');
    for (const p of [TMP, `${TMP}/x.part`, 'tmplink', 'tmplink/x.part']) await expectFsError(d().stat(p), 'not_found');
    await expectFsError(d().read(`${TMP}/x.part`), 'not_found');
    await expectFsError(collect(d().list(TMP)), 'not_found');
    await expectFsError(d().remove(TMP, { recursive: true }), 'not_found');
    await expectFsError(d().write(`${TMP}/y`, bodyOf('y')), 'invalid_path');
    await expectFsError(d().write('tmplink/y', bodyOf('y')), 'invalid_path');
    await expectFsError(d().mkdir(TMP), 'invalid_path');
    await expectFsError(d().move('inside', `${TMP}/inside`), 'invalid_path');
    expect(await readdir(path.join(fx.root, TMP))).toEqual(['x.part']);
  });

  it('an upload whose body is destroyed midway leaves nothing, not even in the temp folder', async () => {
    const body = new PassThrough();
    const done = d().write('inside/upload.bin', body, { size: 1_000_000 });
    body.write(Buffer.alloc(64 * 1024, 1));
    setTimeout(() => body.destroy(new Error('connection reset')), 20);
    await expectFsError(done, 'aborted');
    expect(await readdir(path.join(fx.root, 'inside'))).toEqual(['real.txt']);
    expect(await readdir(path.join(fx.root, TMP))).toEqual([]);
  });

  it('a small upload (received whole before writing) that breaks off or lies about its size leaves nothing', async () => {
    const body = new PassThrough();
    const done = d().write('inside/small.bin', body, { size: 8192 });
    body.write(Buffer.alloc(4096, 1));
    setTimeout(() => body.destroy(new Error('connection reset')), 20);
    await expectFsError(done, 'aborted');
    await expectFsError(d().write('inside/short.bin', bodyOf('only this'), { size: 100 }), 'invalid_input');
    await expectFsError(d().write('inside/long.bin', bodyOf('x'.repeat(200)), { size: 100 }), 'invalid_input');
    const signal = AbortSignal.abort();
    await expectFsError(d().write('inside/cancelled.bin', bodyOf('x'), { size: 1, signal }), 'aborted');
    expect(await readdir(path.join(fx.root, 'inside'))).toEqual(['real.txt']);
    expect(await readdir(path.join(fx.root, TMP))).toEqual([]);
    const written = await d().write('inside/exact.bin', bodyOf('exactly'), { size: 7, mtime: new Date('2020-01-02T03:04:05.678Z') });
    const onDisk = await stat(path.join(fx.root, 'inside', 'exact.bin'));
    expect(written).toMatchObject({ size: 7, isDir: false });
    expect(written.mtime?.getTime()).toBe(onDisk.mtime.getTime());
    expect(Math.abs(onDisk.mtimeMs - Date.parse('2020-01-02T03:04:05.678Z'))).toBeLessThan(1);
  });

  it('init removes leftovers of interrupted uploads', async () => {
    await writeFile(path.join(fx.root, TMP, 'crashed.part'), 'half');
    await mkdir(path.join(fx.root, TMP, 'half-copied-folder'));
    await fx.make();
    expect(await readdir(path.join(fx.root, TMP))).toEqual([]);
  });

  it('never writes temp files through a temp folder replaced by a symlink', async () => {
    await rm(path.join(fx.root, TMP), { recursive: true });
    await symlink(fx.outside, path.join(fx.root, TMP));
    await expectFsError(d().write('inside/x.txt', bodyOf('x')), 'permission_denied');
    expect(await readdir(fx.outside)).toEqual(['secret.txt']);
    await fx.make();
    expect((await lstat(path.join(fx.root, TMP))).isDirectory()).toBe(true);
    expect(await readdir(fx.outside)).toEqual(['secret.txt']);
  });
});

describe('Local driver: options and behaviour', () => {
  let root: string;
  let tc: DriverTestContext;
  const make = async (options: Record<string, unknown> = {}): Promise<Methods> => {
    const driver = localDriver.create(localDriver.schema.parse({ root_folder_path: root, ...options }), tc.ctx);
    await driver.init?.(AbortSignal.timeout(10_000));
    return driver as Methods;
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-opts-'));
    tc = await createTestContext();
  });

  afterEach(async () => {
    await tc.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('init fails with not_found when the root is missing or a file', async () => {
    const missing = localDriver.create(localDriver.schema.parse({ root_folder_path: path.join(root, 'nope') }), tc.ctx);
    const err = await expectFsError(missing.init?.(AbortSignal.timeout(5_000)) ?? Promise.resolve(), 'not_found');
    expect(err.message).toContain('does not exist');
    await writeFile(path.join(root, 'file'), 'x');
    const file = localDriver.create(localDriver.schema.parse({ root_folder_path: path.join(root, 'file') }), tc.ctx);
    await expectFsError(file.init?.(AbortSignal.timeout(5_000)) ?? Promise.resolve(), 'not_found');
  });

  it('validates options: root required, mkdir_perm octal', () => {
    expect(() => localDriver.schema.parse({})).toThrow();
    expect(() => localDriver.create(localDriver.schema.parse({ root_folder_path: root, mkdir_perm: '8x' }), tc.ctx)).toThrow(FsError);
    expect(localDriver.schema.parse({ root_folder_path: root })).toEqual({ root_folder_path: root, show_hidden: true, mkdir_perm: '777' });
  });

  it('show_hidden false hides dot entries from listings', async () => {
    await writeFile(path.join(root, '.hidden'), 'h');
    await writeFile(path.join(root, 'shown'), 's');
    expect(await names((await make({ show_hidden: 'false' })).list(''))).toEqual(['shown']);
    expect(await names((await make()).list(''))).toEqual(['.hidden', 'shown']);
  });

  it('mkdir uses mkdir_perm, refuses a file in the way, and stays idempotent on folders', async () => {
    const d = await make({ mkdir_perm: '750' });
    await d.mkdir('a/b');
    expect((await stat(path.join(root, 'a', 'b'))).mode & 0o777).toBe(0o750 & ~process.umask());
    await writeFile(path.join(root, 'f'), 'x');
    await expectFsError(d.mkdir('f'), 'already_exists');
    await expectFsError(d.mkdir('f/sub'), 'not_a_directory');
    await expectFsError(d.write('f/sub.txt', bodyOf('x')), 'not_a_directory');
    await d.mkdir('');
  });

  it('refuses to remove or move the root, and writes over folders', async () => {
    const d = await make();
    await mkdir(path.join(root, 'dir'));
    await expectFsError(d.remove('', { recursive: true }), 'permission_denied');
    await expectFsError(d.move('', 'x'), 'permission_denied');
    await expectFsError(d.write('dir', bodyOf('x')), 'is_a_directory');
    expect(existsSync(root)).toBe(true);
  });

  it('move and copy create the destination parent folders', async () => {
    const d = await make();
    await writeFile(path.join(root, 'f.txt'), 'x');
    await d.copy('f.txt', 'c/d/copy.txt');
    await d.move('f.txt', 'm/n/moved.txt');
    expect(await readFile(path.join(root, 'c', 'd', 'copy.txt'), 'utf8')).toBe('x');
    expect(await readFile(path.join(root, 'm', 'n', 'moved.txt'), 'utf8')).toBe('x');
    await expectFsError(d.copy('m', 'm/inner'), 'invalid_path');
  });

  it('lists a large folder completely, across stat batches', async () => {
    const files = Array.from({ length: 1000 }, (_, i) => `f${String(i).padStart(5, '0')}${i % 7 === 0 ? '.bin' : ''}`);
    await Promise.all(files.map((f) => writeFile(path.join(root, f), f)));
    await Promise.all(Array.from({ length: 50 }, (_, i) => writeFile(path.join(root, `.h${i}`), '')));
    const listed = await collect((await make({ show_hidden: false })).list(''));
    expect(listed.map((e) => e.name)).toEqual([...files].sort());
    expect(listed.every((e) => !e.isDir && e.size === e.name.length)).toBe(true);
  });

  it('aborting a read destroys its stream; bad ranges are invalid_input', async () => {
    const d = await make();
    await writeFile(path.join(root, 'big'), Buffer.alloc(4 * 1024 * 1024));
    const c = new AbortController();
    const r = await d.read('big', { signal: c.signal });
    c.abort();
    await expect(readAll(r.stream)).rejects.toThrow();
    expect(r.stream.destroyed).toBe(true);
    await expectFsError(d.read('big', { range: { start: -1 } }), 'invalid_input');
    await expectFsError(d.read('big', { range: { start: 10, end: 5 } }), 'invalid_input');
  });

  it('about() reports the file system quota', async () => {
    const q = await (await make()).about();
    expect(q.total).toBeGreaterThan(0);
    expect(q.free).toBeGreaterThanOrEqual(0);
    expect((q.used ?? 0) + (q.free ?? 0)).toBeLessThanOrEqual(q.total ?? 0);
  });
});

describe('Local driver: commits across file systems', () => {
  it('renameIntoPlace copies through a hidden sibling when rename fails with EXDEV', async (t) => {
    const shm = '/dev/shm';
    const here = await mkdtemp(path.join(os.tmpdir(), 'filebridge-xdev-'));
    if (!existsSync(shm) || (await stat(shm)).dev === (await stat(here)).dev) {
      await rm(here, { recursive: true });
      t.skip('no second file system (/dev/shm) to cross');
    }
    const there = await mkdtemp(path.join(shm, 'filebridge-xdev-'));
    try {
      await writeFile(path.join(there, 'f.part'), 'crossed');
      await mkdir(path.join(there, 'dir.part', 'sub'), { recursive: true });
      await writeFile(path.join(there, 'dir.part', 'sub', 'g'), 'g');
      await renameIntoPlace(path.join(there, 'f.part'), path.join(here, 'f.txt'));
      await renameIntoPlace(path.join(there, 'dir.part'), path.join(here, 'dir'));
      expect(await readFile(path.join(here, 'f.txt'), 'utf8')).toBe('crossed');
      expect(await readFile(path.join(here, 'dir', 'sub', 'g'), 'utf8')).toBe('g');
      expect((await readdir(here)).sort()).toEqual(['dir', 'f.txt']);
      expect(await readdir(there)).toEqual([]);
    } finally {
      await rm(here, { recursive: true, force: true });
      await rm(there, { recursive: true, force: true });
    }
  });

  it('hides sibling temp names from listings and refuses them as paths', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-sib-'));
    const tc = await createTestContext();
    try {
      await writeFile(path.join(root, `${TMP}-abc.part`), 'half');
      const d = localDriver.create(localDriver.schema.parse({ root_folder_path: root }), tc.ctx) as Methods;
      expect(await names(d.list(''))).toEqual([]);
      await expectFsError(d.stat(`${TMP}-abc.part`), 'not_found');
      await expectFsError(d.write(`${TMP}-new`, bodyOf('x')), 'invalid_path');
    } finally {
      await tc.cleanup();
      await rm(root, { recursive: true, force: true });
    }
  });
});
