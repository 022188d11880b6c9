import { LazyLru } from './lazy-lru.js';

export interface ListCacheOptions {
  ttlMs: number;
  max: number;
  /** How old a last good listing may be and still be served when the upstream fails (0: never). */
  staleMaxAgeMs?: number;
}

interface Cached<E> {
  entries: E[];
  at: number;
  /** Entries by name (and by NFC name), built at the first look-up and kept up to date by upsert. */
  index?: Map<string, E>;
  /** The entries array has been handed out: the next change copies it instead of changing it. */
  shared: boolean;
}

/**
 * Per-mount listing cache: bounded, with a TTL, and single-flight so that concurrent listings of
 * one folder cost one upstream call. Keys are driver-relative folder paths.
 */
export class ListCache<E extends { name: string } = { name: string }> {
  private readonly lru: LazyLru<string, Cached<E>> | undefined;
  private readonly inflight = new Map<string, Promise<E[]>>();
  /** The last listing that loaded, kept past its TTL for stale-if-error. */
  private readonly lastGood: LazyLru<string, Cached<E>> | undefined;
  private generation = 0;
  /** When each recently changed folder last changed (a generation), for {@link seedIfUnchanged}. */
  private readonly changedAt = new LazyLru<string, number>({ max: 4096 });

  constructor(private readonly options: ListCacheOptions) {
    this.lru = options.ttlMs > 0 ? new LazyLru<string, Cached<E>>({ max: options.max, ttl: options.ttlMs }) : undefined;
    this.lastGood = (options.staleMaxAgeMs ?? 0) > 0 ? new LazyLru<string, Cached<E>>({ max: options.max }) : undefined;
  }

  /** The last good listing of `dir` if it is recent enough to serve while the upstream fails. */
  stale(dir: string, now = Date.now()): { entries: E[]; at: Date } | undefined {
    const hit = this.lastGood?.get(dir);
    if (!hit || now - hit.at > (this.options.staleMaxAgeMs ?? 0)) return undefined;
    hit.shared = true;
    return { entries: hit.entries, at: new Date(hit.at) };
  }

  async get(dir: string, load: () => Promise<E[]>, options: { refresh?: boolean } = {}): Promise<E[]> {
    if (!options.refresh) {
      const hit = this.lru?.get(dir);
      if (hit) {
        hit.shared = true;
        return hit.entries;
      }
    }
    const running = this.inflight.get(dir);
    if (running && !options.refresh) return running;
    const generation = this.generation;
    const p = load()
      .then((entries) => {
        if (generation === this.generation) {
          const cached = { entries, at: Date.now(), shared: true };
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

  /**
   * Looks a name up in the fresh cached listing of `dir`: the entry, null when the listing is
   * cached and lacks it, undefined when no listing is cached (no load either way).
   */
  lookup(dir: string, name: string): E | null | undefined {
    const hit = this.lru?.get(dir);
    if (!hit) return undefined;
    hit.index ??= indexOf(hit.entries);
    return hit.index.get(name) ?? null;
  }

  /**
   * Puts `entry` into the cached listing of `dir` when one is cached (a write that knows its
   * result updates the folder instead of forcing a full relist). Returns whether it was cached.
   * A listing already handed out is copied, never changed under its holders; one nobody holds
   * is changed in place, so a run of uploads into one folder costs O(1) each.
   */
  upsert(dir: string, entry: E): boolean {
    const hit = this.lru?.get(dir);
    if (!hit) return false;
    this.changedAt.set(dir, ++this.generation);
    this.inflight.delete(dir);
    const index = (hit.index ??= indexOf(hit.entries));
    const old = index.get(entry.name);
    const cached = hit.shared ? { entries: hit.entries.slice(), at: hit.at, index, shared: false } : hit;
    if (old) cached.entries[cached.entries.indexOf(old)] = entry;
    else cached.entries.push(entry);
    index.set(entry.name, entry);
    if (cached !== hit) {
      this.lru?.set(dir, cached, { noUpdateTTL: true });
      this.lastGood?.set(dir, cached);
    }
    return true;
  }

  /** A mark to pass to {@link seedIfUnchanged}: taken before the change whose result is to be seeded. */
  mark(): number {
    return this.generation;
  }

  /**
   * Seeds `dir` as {@link seed} does, unless a listing of it is cached already or it changed after
   * `since` (a write into it finished meanwhile, say): then what the caller knew is no longer all.
   */
  seedIfUnchanged(dir: string, entries: E[], since: number): boolean {
    if (!this.lru || this.lru.has(dir) || (this.changedAt.get(dir) ?? 0) > since) return false;
    this.seed(dir, entries);
    return true;
  }

  /** Caches a listing the caller knows to be complete (e.g. a folder it has just created). */
  seed(dir: string, entries: E[]): void {
    if (!this.lru) return;
    this.generation++;
    this.inflight.delete(dir);
    const cached = { entries, at: Date.now(), shared: true };
    this.lru.set(dir, cached);
    this.lastGood?.set(dir, cached);
  }

  /** Forgets one folder's listing. */
  invalidate(dir: string): void {
    this.changedAt.set(dir, ++this.generation);
    this.lru?.delete(dir);
    this.lastGood?.delete(dir);
    this.inflight.delete(dir);
  }

  /** Forgets a folder and everything below it. */
  invalidateTree(dir: string): void {
    this.changedAt.set(dir, ++this.generation);
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

function indexOf<E extends { name: string }>(entries: E[]): Map<string, E> {
  const index = new Map<string, E>();
  for (const e of entries) {
    index.set(e.name, e);
    const nfc = e.name.normalize('NFC');
    if (nfc !== e.name && !index.has(nfc)) index.set(nfc, e);
  }
  return index;
}
