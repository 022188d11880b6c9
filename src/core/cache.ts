import { LRUCache } from 'lru-cache';

export interface ListCacheOptions {
  ttlMs: number;
  max: number;
  /** How old a last good listing may be and still be served when the upstream fails (0: never). */
  staleMaxAgeMs?: number;
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
  /** The last listing that loaded, kept past its TTL for stale-if-error. */
  private readonly lastGood: LRUCache<string, Cached<E>> | undefined;
  private generation = 0;

  constructor(private readonly options: ListCacheOptions) {
    this.lru = options.ttlMs > 0 ? new LRUCache<string, Cached<E>>({ max: options.max, ttl: options.ttlMs }) : undefined;
    this.lastGood = (options.staleMaxAgeMs ?? 0) > 0 ? new LRUCache<string, Cached<E>>({ max: options.max }) : undefined;
  }

  /** The last good listing of `dir` if it is recent enough to serve while the upstream fails. */
  stale(dir: string, now = Date.now()): { entries: E[]; at: Date } | undefined {
    const hit = this.lastGood?.get(dir);
    if (!hit || now - hit.at > (this.options.staleMaxAgeMs ?? 0)) return undefined;
    return { entries: hit.entries, at: new Date(hit.at) };
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
        if (generation === this.generation) {
          const cached = { entries, at: Date.now() };
          this.lru?.set(dir, cached);
          this.lastGood?.set(dir, cached);
        }
        return entries;
      })
      .finally(() => {
        if (this.inflight.get(dir) === p) this.inflight.delete(dir);
      });
    this.inflight.set(dir, p);
    return p;
  }

  /** The fresh listing of `dir` if it is cached (no load). */
  peek(dir: string): E[] | undefined {
    return this.lru?.get(dir)?.entries;
  }

  /**
   * Replaces the cached listing of `dir` with `fn(listing)` when one is cached (a write that
   * knows its result updates the folder instead of forcing a full relist). Returns whether it was.
   */
  patch(dir: string, fn: (entries: E[]) => E[]): boolean {
    const hit = this.lru?.get(dir);
    if (!hit) return false;
    this.generation++;
    this.inflight.delete(dir);
    const next = { entries: fn(hit.entries), at: hit.at };
    this.lru?.set(dir, next, { noUpdateTTL: true });
    this.lastGood?.set(dir, next);
    return true;
  }

  /** Forgets one folder's listing. */
  invalidate(dir: string): void {
    this.generation++;
    this.lru?.delete(dir);
    this.lastGood?.delete(dir);
    this.inflight.delete(dir);
  }

  /** Forgets a folder and everything below it. */
  invalidateTree(dir: string): void {
    this.generation++;
    for (const cache of [this.lru, this.lastGood]) {
      for (const key of [...(cache?.keys() ?? [])]) {
        if (dir === '' || key === dir || key.startsWith(dir + '/')) cache?.delete(key);
      }
    }
    for (const key of [...this.inflight.keys()]) {
      if (dir === '' || key === dir || key.startsWith(dir + '/')) this.inflight.delete(key);
    }
  }

  clear(): void {
    this.generation++;
    this.lru?.clear();
    this.lastGood?.clear();
    this.inflight.clear();
  }
}
