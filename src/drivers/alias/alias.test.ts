import { Readable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FsError, isFsError } from '../../core/errors.js';
import { EMPTY_TREE } from '../../core/storage/empty-tree.js';
import { treeFor } from '../../core/tree.js';
import type { VirtualFs } from '../../core/virtual-fs.js';
import type { DriverContext, Entry, Link, Tree } from '../../core/storage/index.js';
import { aliasDriver, type AliasDriver } from './alias.js';

/** A tree of files by absolute path, some with a direct link; folders are the files' parents. */
function fakeTree(files: Record<string, { data: string; link?: Link }>, fail: Record<string, FsError> = {}): Tree {
  const isDir = (p: string) => p === '/' || Object.keys(files).some((f) => f.startsWith(`${p}/`));
  const entry = (p: string): Entry => {
    const f = files[p];
    const name = p.slice(p.lastIndexOf('/') + 1);
    if (f) return { name, isDir: false, size: f.data.length };
    if (isDir(p)) return { name, isDir: true, size: 0 };
    throw new FsError('not_found', `${p}: not found`);
  };
  const failing = (p: string) => {
    const err = Object.entries(fail).find(([q]) => p === q || p.startsWith(`${q}/`))?.[1];
    if (err) throw err;
  };
  return {
    ...EMPTY_TREE,
    stat: async (p) => (failing(p), entry(p)),
    list: async (p) => {
      failing(p);
      if (files[p]) throw new FsError('not_a_directory', p);
      if (!isDir(p)) throw new FsError('not_found', p);
      const names = new Set(Object.keys(files).filter((f) => f.startsWith(`${p}/`)).map((f) => f.slice(p.length + 1).split('/')[0] as string));
      return [...names].map((n) => entry(`${p}/${n}`));
    },
    read: async (p) => ({ stream: Readable.from([Buffer.from(files[p]?.data ?? '')]), size: files[p]?.data.length ?? 0 }),
    link: async (p) => (failing(p), files[p]?.link),
  };
}

async function aliasOn(tree: Tree, options: Record<string, unknown>): Promise<AliasDriver> {
  const ctx = { logger: pino({ level: 'silent' }), tree } as unknown as DriverContext;
  const d = aliasDriver.create(aliasDriver.schema.parse(options), ctx) as AliasDriver;
  await d.init(AbortSignal.timeout(10_000));
  return d;
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (err: unknown) => (isFsError(err) ? err.code : String(err)));

describe('Alias over a tree', () => {
  it('passes on the direct link of the folder that holds the file', async () => {
    const tree = fakeTree({ '/a/x.txt': { data: 'a' }, '/b/y.txt': { data: 'b', link: { url: 'https://cdn.example/y' } } });
    const d = await aliasOn(tree, { paths: 'm:/a\nm:/b' });
    expect(await d.link('y.txt')).toEqual({ url: 'https://cdn.example/y' });
    // No direct link there: not_supported, and core streams the file instead.
    expect(await codeOf(d.link('x.txt'))).toBe('not_supported');
    expect(await codeOf(d.link('missing.txt'))).toBe('not_found');
  });

  it('names every folder a path may stand for, for the gate', async () => {
    const d = await aliasOn(fakeTree({}), { paths: 'm:/a\nm:/b/c' });
    expect(d.realPaths('p/q')).toEqual(['/a/p/q', '/b/c/p/q']);
    const multi = await aliasOn(fakeTree({}), { paths: 'one:/a\ntwo:/b' });
    expect(multi.realPaths('')).toEqual([]);
    expect(multi.realPaths('two/f')).toEqual(['/b/f']);
  });

  it('refuses at init a folder that leads back to itself, and says which', async () => {
    const tree = fakeTree({}, { '/me': new FsError('loop', 'storage loop: /me → /me reaches a storage already on the way') });
    const err = await aliasOn(tree, { paths: '/me/inside' }).catch((e: unknown) => e);
    expect(isFsError(err, 'loop')).toBe(true);
    expect((err as Error).message).toMatch(/path \/me\/inside leads back to this alias/);
  });

  it('does not wait at init for folders that are not there or not ready', async () => {
    const tree = fakeTree({}, { '/down': new FsError('storage_unavailable', 'pending', { retryable: true }) });
    const d = await aliasOn(tree, { paths: 'm:/down\nm:/nowhere' });
    expect(await codeOf(d.stat('f'))).toBe('storage_unavailable');
  });

  it('keeps a backend\'s refused credentials retryable, so the alias is never marked as needing them', async () => {
    const tree = fakeTree({}, { '/od': new FsError('unauthorized_upstream', 'refresh token revoked') });
    const d = await aliasOn(tree, { paths: '/od' });
    const err = await d.stat('f').catch((e: unknown) => e);
    expect(isFsError(err, 'unauthorized_upstream') && err.retryable).toBe(true);
  });

  it('a folder failing to answer fails a change rather than guessing', async () => {
    const tree = fakeTree({ '/a/f.txt': { data: 'a' }, '/b/keep': { data: '' } }, { '/b': new FsError('storage_unavailable', 'b is down', { retryable: true }) });
    const d = await aliasOn(tree, { paths: 'm:/a\nm:/b', write_conflict_policy: 'deterministic' });
    // Reading takes the copy that answers...
    expect(await d.stat('f.txt')).toMatchObject({ size: 1 });
    // ...but whether /b has one too is unknown, so "the one copy" cannot be decided.
    expect(await codeOf(d.remove('f.txt'))).toBe('storage_unavailable');
  });

  it('an upload to several folders fails, not hangs, when one of them refuses at once', async () => {
    const written: Record<string, number> = {};
    const tree: Tree = {
      ...fakeTree({ '/a/d/keep': { data: '' }, '/b/d/keep': { data: '' } }),
      write: async (p, body) => {
        if (p.startsWith('/b/')) throw new FsError('quota_exceeded', 'b is full');
        let n = 0;
        for await (const chunk of body) n += (chunk as Buffer).length;
        written[p] = n;
        return { name: 'f', isDir: false, size: n };
      },
    };
    const d = await aliasOn(tree, { paths: 'm:/a\nm:/b', put_conflict_policy: 'all' });
    const big = Readable.from(Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 1)));
    expect(await codeOf(d.write('d/f', big, { size: 64 * 64 * 1024 }))).toBe('quota_exceeded');
    expect(written['/a/d/f']).toBe(64 * 64 * 1024);
  });

  it('a backend set to proxy its downloads (web_proxy) hands no direct link out through the alias', async () => {
    const mounts: Record<string, boolean> = { '/s3': false, '/proxied': true };
    const fs = {
      mountOf: (p: string) => {
        const at = Object.keys(mounts).find((m) => p.startsWith(`${m}/`));
        return at === undefined ? undefined : { path: at, spec: { policy: { webProxy: mounts[at] } } };
      },
      stat: async (p: string) => ({ name: p.slice(p.lastIndexOf('/') + 1), isDir: false, size: 1 }),
      link: async (p: string) => ({ url: `https://direct.example${p}` }),
    } as unknown as VirtualFs;
    const d = await aliasOn(treeFor(() => fs, '/alias'), { paths: 'open:/s3/d\nhidden:/proxied/d' });
    expect(await d.link('open/f')).toEqual({ url: 'https://direct.example/s3/d/f' });
    expect(await codeOf(d.link('hidden/f'))).toBe('not_supported');
  });
});
