import { LRUCache } from 'lru-cache';

export interface ListCacheOptions {
  ttlMs: number;
  max: number;
}

interface Cached<E> {
  entries: E[];
  at: number;
}

/**
 * Per-mount listing cache: bounded, with a TTL, and single-flight so that concurrent listings of
 * one folder cost one upstream call. Keys are driver-relative folder paths.
 */
export class ListCache<E = unknown> {
  private readonly lru: LRUCache<string, Cached<E>> | undefined;
  private readonly inflight = new Map<string, Promise<E[]>>();
  private generation = 0;

  constructor(options: ListCacheOptions) {
    this.lru = options.ttlMs > 0 ? new LRUCache<string, Cached<E>>({ max: options.max, ttl: options.ttlMs }) : undefined;
  }

  async get(dir: string, load: () => Promise<E[]>, options: { refresh?: boolean } = {}): Promise<E[]> {
    if (!options.refresh) {
      const hit = this.lru?.get(dir);
      if (hit) return hit.entries;
    }
    const running = this.inflight.get(dir);
    if (running && !options.refresh) return running;
    const generation = this.generation;
    const p = load()
      .then((entries) => {
        if (generation === this.generation) this.lru?.set(dir, { entries, at: Date.now() });
        return entries;
      })
      .finally(() => {
        if (this.inflight.get(dir) === p) this.inflight.delete(dir);
      });
    this.inflight.set(dir, p);
    return p;
  }

  /** Forgets one folder's listing. */
  invalidate(dir: string): void {
    this.generation++;
    this.lru?.delete(dir);
    this.inflight.delete(dir);
  }

  /** Forgets a folder and everything below it. */
  invalidateTree(dir: string): void {
    this.generation++;
    if (!this.lru) return;
    for (const key of [...this.lru.keys()]) {
      if (dir === '' || key === dir || key.startsWith(dir + '/')) this.lru.delete(key);
    }
    for (const key of [...this.inflight.keys()]) {
      if (dir === '' || key === dir || key.startsWith(dir + '/')) this.inflight.delete(key);
    }
  }

  clear(): void {
    this.generation++;
    this.lru?.clear();
    this.inflight.clear();
  }
}
