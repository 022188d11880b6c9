import { describe, expect, it } from 'vitest';
import type { Entry } from './storage/index.js';
import { ListCache } from './cache.js';

const entries = (n: number): Entry[] => [{ name: `f${n}`, isDir: false, size: n }];

describe('ListCache', () => {
  it('serves concurrent listings of one folder with one load', async () => {
    const cache = new ListCache<Entry>({ ttlMs: 60_000, max: 10 });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return entries(loads);
    };
    const results = await Promise.all([cache.get('a', load), cache.get('a', load), cache.get('a', load)]);
    expect(loads).toBe(1);
    expect(results.every((r) => r[0]?.name === 'f1')).toBe(true);
    expect((await cache.get('a', load))[0]?.name).toBe('f1');
    expect(loads).toBe(1);
  });

  it('reloads after invalidation, refresh, or when caching is off', async () => {
    const cache = new ListCache<Entry>({ ttlMs: 60_000, max: 10 });
    let loads = 0;
    const load = async () => entries(++loads);
    await cache.get('a/b', load);
    cache.invalidate('a/b');
    expect((await cache.get('a/b', load))[0]?.name).toBe('f2');
    expect((await cache.get('a/b', load, { refresh: true }))[0]?.name).toBe('f3');
    cache.invalidateTree('a');
    expect((await cache.get('a/b', load))[0]?.name).toBe('f4');
    const off = new ListCache<Entry>({ ttlMs: 0, max: 10 });
    await off.get('x', load);
    await off.get('x', load);
    expect(loads).toBe(6);
  });

  it('does not keep a listing that was invalidated while it loaded', async () => {
    const cache = new ListCache<Entry>({ ttlMs: 60_000, max: 10 });
    let loads = 0;
    let release!: () => void;
    const slow = () => new Promise<Entry[]>((r) => (release = () => r(entries(++loads))));
    const first = cache.get('d', slow);
    cache.invalidate('d');
    release();
    await first;
    const fresh = await cache.get('d', async () => entries(++loads));
    expect(fresh[0]?.name).toBe('f2');
  });

  it('does not cache failures', async () => {
    const cache = new ListCache<Entry>({ ttlMs: 60_000, max: 10 });
    await expect(cache.get('e', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('e', async () => entries(7))).toEqual(entries(7));
  });
});

describe('ListCache look-ups and in-place updates', () => {
  it('answers names from a cached listing and takes written entries without a reload', async () => {
    const cache = new ListCache<Entry>({ ttlMs: 60_000, max: 10 });
    expect(cache.lookup('d', 'a')).toBeUndefined();
    expect(cache.upsert('d', { name: 'x', isDir: false, size: 1 })).toBe(false);
    let loads = 0;
    const first = await cache.get('d', async () => {
      loads++;
      return [{ name: 'a', isDir: false, size: 1 }, { name: 'caf\u0065\u0301', isDir: false, size: 2 }];
    });
    expect(cache.lookup('d', 'a')?.size).toBe(1);
    expect(cache.lookup('d', 'missing')).toBeNull();
    expect(cache.lookup('d', 'caf\u00e9')?.size).toBe(2);
    expect(cache.upsert('d', { name: 'b', isDir: false, size: 3 })).toBe(true);
    expect(cache.upsert('d', { name: 'a', isDir: false, size: 9 })).toBe(true);
    const after = await cache.get('d', async () => {
      loads++;
      return [];
    });
    expect(loads).toBe(1);
    expect(after.map((e) => `${e.name}:${e.size}`)).toEqual(['a:9', 'caf\u0065\u0301:2', 'b:3']);
    expect(first.map((e) => e.name)).toEqual(['a', 'caf\u0065\u0301']);
    cache.seed('fresh', []);
    expect(cache.lookup('fresh', 'anything')).toBeNull();
  });

  it('changes a listing nobody holds in place, and never one that was handed out', async () => {
    const cache = new ListCache<Entry>({ ttlMs: 60_000, max: 10, staleMaxAgeMs: 60_000 });
    cache.seed('d', []);
    for (let i = 0; i < 100; i++) cache.upsert('d', { name: `f${i}`, isDir: false, size: i });
    const held = await cache.get('d', async () => []);
    expect(held.length).toBe(100);
    cache.upsert('d', { name: 'late', isDir: false, size: 1 });
    cache.upsert('d', { name: 'f0', isDir: false, size: 42 });
    expect(held.length).toBe(100);
    expect(held[0]?.size).toBe(0);
    const now = await cache.get('d', async () => []);
    expect(now.length).toBe(101);
    expect(now[0]?.size).toBe(42);
    expect(cache.lookup('d', 'late')?.size).toBe(1);
    const stale = cache.stale('d');
    cache.upsert('d', { name: 'after-stale', isDir: false, size: 1 });
    expect(stale?.entries.length).toBe(101);
  });
  it('seeds a new folder as empty only if nothing changed it since the mark and nothing is cached for it', () => {
    const cache = new ListCache<Entry>({ ttlMs: 60_000, max: 10 });
    // Two requests make the same folder; the first seeds it and an upload lands in it...
    const first = cache.mark();
    const second = cache.mark();
    expect(cache.seedIfUnchanged('d', [], first)).toBe(true);
    expect(cache.upsert('d', { name: 'up.bin', isDir: false, size: 1 })).toBe(true);
    // ...then the second one finishes: its "known empty" must not wipe the upload out.
    expect(cache.seedIfUnchanged('d', [], second)).toBe(false);
    expect(cache.lookup('d', 'up.bin')).toMatchObject({ name: 'up.bin' });
    // An upload finished into a folder with no cached listing (it is invalidated): no seed after it.
    const before = cache.mark();
    cache.invalidate('e');
    expect(cache.seedIfUnchanged('e', [], before)).toBe(false);
    expect(cache.lookup('e', 'x')).toBeUndefined();
    // Changes to other folders do not stop a seed.
    const mark = cache.mark();
    cache.invalidate('other');
    expect(cache.seedIfUnchanged('f', [], mark)).toBe(true);
    expect(cache.lookup('f', 'x')).toBeNull();
  });
});
