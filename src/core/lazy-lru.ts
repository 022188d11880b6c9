import { LRUCache } from 'lru-cache';

/**
 * An LRUCache made at its first write. lru-cache allocates its arrays for `max` entries up front
 * (about 0.1 ms per thousand entries); a mount holds five such caches, so a server with a hundred
 * mounts spent a third of a second building caches before it listened, most of which a mount never
 * fills. Reads of a cache never written find nothing, as they would in an empty one.
 */
export class LazyLru<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  private cache: LRUCache<K, V> | undefined;

  constructor(private readonly options: LRUCache.Options<K, V, unknown>) {}

  get(key: K): V | undefined {
    return this.cache?.get(key);
  }

  has(key: K): boolean {
    return this.cache?.has(key) ?? false;
  }

  set(key: K, value: V, options?: LRUCache.SetOptions<K, V, unknown>): this {
    (this.cache ??= new LRUCache<K, V>(this.options)).set(key, value, options);
    return this;
  }

  delete(key: K): boolean {
    return this.cache?.delete(key) ?? false;
  }

  clear(): void {
    this.cache?.clear();
  }

  /** Keys, most recently used first. */
  keys(): IterableIterator<K> {
    return this.cache?.keys() ?? new Set<K>().values();
  }

  get size(): number {
    return this.cache?.size ?? 0;
  }
}
