import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

const local = (root: string) => JSON.stringify({ root_folder_path: root });

describe('VirtualFs over several Local mounts', () => {
  let server: TestServer;
  let work: string;
  const dir = (n: string) => join(work, n);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-vfs-'));
    for (const d of ['a', 'b', 'inner', 'deep']) mkdirSync(dir(d));
    writeFileSync(join(dir('a'), 'one.txt'), 'one');
    mkdirSync(join(dir('a'), 'inner'));
    writeFileSync(join(dir('a'), 'inner', 'shadowed.txt'), 'hidden by the mount point');
    writeFileSync(join(dir('inner'), 'in.txt'), 'in');
    server = await startTestServer({
      storages: [
        { mountPath: '/a', driver: 'Local', addition: local(dir('a')) },
        { mountPath: '/b', driver: 'Local', addition: local(dir('b')) },
        { mountPath: '/a/inner', driver: 'Local', addition: local(dir('inner')) },
        { mountPath: '/x/y', driver: 'Local', addition: local(dir('deep')) },
      ],
    });
    await waitFor(() => server.mounts.list().every((m) => m.status.state === 'ready'), 10_000, 'mounts ready');
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const names = async (p: string) => (await server.fs.list(p)).entries.map((e) => e.name).sort();

  it('shows mount points as virtual folders, longest prefix winning', async () => {
    expect(await names('/')).toEqual(['a', 'b', 'x']);
    expect(await names('/x')).toEqual(['y']);
    expect(await names('/a')).toEqual(['inner', 'one.txt']);
    expect(await names('/a/inner')).toEqual(['in.txt']);
    expect((await server.fs.stat('/x')).isDir).toBe(true);
    expect((await server.fs.stat('/a/inner/in.txt')).provider).toBe('Local');
  });

  it('gives not_found for paths under no storage, and refuses traversal', async () => {
    await expect(server.fs.list('/nowhere')).rejects.toMatchObject({ code: 'not_found' });
    await expect(server.fs.stat('/x/z')).rejects.toMatchObject({ code: 'not_found' });
    await expect(server.fs.stat('/a/../../etc/passwd')).rejects.toMatchObject({ code: 'invalid_path' });
  });

  it('writes atomically and the listing cache follows writes', async () => {
    expect(await names('/b')).toEqual([]);
    await server.fs.write('/b/new/file.txt', Readable.from([Buffer.from('hello')]), { size: 5 });
    expect(await names('/b')).toEqual(['new']);
    expect(await names('/b/new')).toEqual(['file.txt']);
    expect(readFileSync(join(dir('b'), 'new', 'file.txt'), 'utf8')).toBe('hello');
  });

  it('keeps the old content when an overwriting upload breaks midway', async () => {
    await server.fs.write('/b/keep.txt', Readable.from([Buffer.from('original')]));
    async function* broken() {
      yield Buffer.from('partial data');
      throw new Error('client went away');
    }
    await expect(server.fs.write('/b/keep.txt', Readable.from(broken()))).rejects.toMatchObject({ code: 'aborted' });
    expect(readFileSync(join(dir('b'), 'keep.txt'), 'utf8')).toBe('original');
    await expect(server.fs.write('/b/never.txt', Readable.from(broken()))).rejects.toBeDefined();
    expect(await names('/b')).not.toContain('never.txt');
  });

  it('honours overwrite: false and createParents: false', async () => {
    await expect(server.fs.write('/b/keep.txt', Readable.from([Buffer.from('x')]), { overwrite: false })).rejects.toMatchObject({ code: 'already_exists' });
    await expect(server.fs.write('/b/missing/f.txt', Readable.from([Buffer.from('x')]), { createParents: false })).rejects.toMatchObject({ code: 'conflict' });
    await expect(server.fs.write('/b/keep.txt/f.txt', Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'not_a_directory' });
  });

  it('moves and copies across mounts by streaming, source removed only after', async () => {
    await server.fs.mkdir('/a/tree/sub');
    await server.fs.write('/a/tree/sub/f.bin', Readable.from([Buffer.alloc(70_000, 7)]));
    await server.fs.write('/a/tree/top.txt', Readable.from([Buffer.from('top')]));
    await server.fs.copy('/a/tree', '/b/tree-copy');
    expect(await names('/b/tree-copy')).toEqual(['sub', 'top.txt']);
    expect(readFileSync(join(dir('b'), 'tree-copy', 'sub', 'f.bin'))).toEqual(Buffer.alloc(70_000, 7));
    await server.fs.move('/a/tree', '/x/y/moved');
    expect(await names('/a')).not.toContain('tree');
    expect(await names('/x/y/moved')).toEqual(['sub', 'top.txt']);
    expect(await text((await server.fs.read('/x/y/moved/top.txt')).stream)).toBe('top');
  });

  it('renames within a mount and refuses unsafe or impossible moves', async () => {
    const target = await server.fs.rename('/a/one.txt', 'uno.txt');
    expect(target).toBe('/a/uno.txt');
    expect(await names('/a')).toContain('uno.txt');
    await expect(server.fs.rename('/a/uno.txt', '../escape')).rejects.toMatchObject({ code: 'invalid_path' });
    await expect(server.fs.move('/b/new', '/b/new/inside')).rejects.toMatchObject({ code: 'invalid_path' });
    await expect(server.fs.copy('/b/keep.txt', '/b/new/file.txt')).rejects.toMatchObject({ code: 'already_exists' });
    await expect(server.fs.remove('/a/inner')).rejects.toMatchObject({ code: 'permission_denied' });
    await expect(server.fs.move('/b/keep.txt', '/a/inner')).rejects.toMatchObject({ code: 'already_exists' });
  });

  it('reads byte ranges through core', async () => {
    await server.fs.write('/b/range.txt', Readable.from([Buffer.from('0123456789')]));
    const r = await server.fs.read('/b/range.txt', { range: { start: 2, end: 4 } });
    expect(r.range).toEqual({ start: 2, end: 4 });
    expect(await text(r.stream)).toBe('234');
    await expect(server.fs.read('/b')).rejects.toMatchObject({ code: 'is_a_directory' });
  });
});
