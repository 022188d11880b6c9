import { describe, expect, it } from 'vitest';
import { LazyLru } from './lazy-lru.js';

describe('LazyLru', () => {
  it('reads as an empty cache until written, then keeps the bound and the TTL', async () => {
    const cache = new LazyLru<string, number>({ max: 2, ttl: 30 });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.has('a')).toBe(false);
    expect(cache.delete('a')).toBe(false);
    expect([...cache.keys()]).toEqual([]);
    cache.clear();
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.has('a')).toBe(false);
    expect([...cache.keys()]).toEqual(['c', 'b']);
    await new Promise((r) => setTimeout(r, 60));
    expect(cache.get('c')).toBeUndefined();
  });
});
