import type { FsEvent } from '../core/virtual-fs.js';
import { baseName, isWithin, parentPath } from '../core/paths.js';
import { applyListing, foldersDown, indexable, indexed, type MountView } from './apply.js';
import { type IndexConfig, type SettingsView, depthOf, readIndexConfig } from './config.js';
import { CrawlStore, type MountCrawlState } from './crawl-store.js';
import { type CrawlFs, type CrawlLocks, type CrawlLogger, crawlMount } from './crawler.js';
import { type SearchHit, countMatches, findPage } from './query.js';
import { searchWords } from './fold.js';
import type { SearchStore } from './store.js';

export interface SearchIndexDeps {
  store: SearchStore;
  fs: CrawlFs;
  settings: SettingsView;
  mounts(): readonly MountView[];
  logger: CrawlLogger;
  locks?: CrawlLocks;
}

export interface SearchIndexOptions {
  /** How often settings, mounts and crawl states are looked at (default 1000 ms). */
  tickMs?: number;
  /** A crawl's lease across instances (default 30 s). */
  leaseMs?: number;
}

/** What the gate lets the asker see of a search's results (gate.searchView). */
export interface SearchView {
  /** Subtrees the asker may not enter, left out in the query. */
  exclude: readonly string[];
  /** Whether `exclude` is all there is to it: counts and pages come from the database as they are. */
  exact: boolean;
  /** Whether the asker may see the entry `name` of the folder `parent` (the last word, always asked). */
  allows(parent: string, name: string): boolean;
}

export interface SearchRequest {
  root: string;
  keywords: string;
  scope: number;
  page: number;
  /** Below 1: every result, up to the scan limit. */
  perPage: number;
}

/** OpenList's IndexProgress. */
export interface IndexProgress {
  obj_count: number;
  is_done: boolean;
  last_done_time: string | null;
  error: string;
}

/** Refusals of the admin index routes, with OpenList's messages. */
export class IndexRefusal extends Error {
  static readonly running = 'index is running';
  static readonly notRunning = 'index is not running';
}

/** Most matches a filtered search looks through (the asker's view needs names checked one by one). */
export const SCAN_LIMIT = 20_000;

const ACTIVE = new Set(['queued', 'running']);

/**
 * The search index: kept true by core's change events (applied in order, at once), by listings
 * read from the storages, and by a background crawl per storage. Answers searches from the
 * database only; never walks a storage for a search.
 */
export class SearchIndex {
  private readonly crawls: CrawlStore;
  private readonly running = new Map<number, { abort: AbortController; done: Promise<void> }>();
  private readonly listing = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastMode: string | undefined;
  private ticking: Promise<void> | undefined;
  private readonly tickMs: number;
  private readonly leaseMs: number;

  constructor(private readonly deps: SearchIndexDeps, options: SearchIndexOptions = {}) {
    this.crawls = new CrawlStore(deps.store);
    this.tickMs = options.tickMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  config(): IndexConfig {
    return readIndexConfig(this.deps.settings);
  }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.timer = setTimeout(() => {
        void this.tick().finally(() => {
          if (this.timer) loop();
        });
      }, this.tickMs);
      this.timer.unref();
    };
    loop();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    await this.abortAll();
    await this.chain;
  }

  /** Core's change events; applied one after another so a quick write-then-remove ends removed. */
  onEvent(event: FsEvent): void {
    const config = this.config();
    if (config.mode === 'none') return;
    if (event.kind === 'listed' && (!config.fromListings || this.listing.has(event.path))) return;
    this.chain = this.chain
      .then(() => this.apply(event, config))
      .catch((err: unknown) => this.deps.logger.warn({ err, event: event.kind }, 'search index: a change could not be applied'));
  }

  /** Resolves once every change told so far is in the database (tests, shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async apply(event: FsEvent, config: IndexConfig): Promise<void> {
    const store = this.deps.store;
    const mount = this.deps.mounts().find((m) => m.id === event.storageId);
    if (!mount) return;
    const limit = config.maxDepth;
    switch (event.kind) {
      case 'put': {
        const e = event.entry;
        if (!indexable(config, e.path, limit) || this.isMountPoint(e.path, mount.id)) return;
        await store.putMissing(mount.id, foldersDown(mount.path, parentPath(e.path)));
        await store.put(mount.id, [indexed(e)]);
        return;
      }
      case 'remove':
        return store.removeTree(event.path);
      case 'move':
        await store.moveTree(event.from, event.to, mount.id);
        if (!indexable(config, event.to, limit)) await store.removeTree(event.to);
        return;
      case 'copy':
        if (indexable(config, event.to, limit)) await store.copyTree(event.from, event.to, mount.id);
        return;
      case 'listed':
        if (depthOf(event.path) >= limit || !indexable(config, event.path, limit)) return;
        await applyListing(store, { storageId: mount.id, dir: event.path, limit, mountPaths: this.mountPaths() }, event.entries, config);
        return;
    }
  }

  private mountPaths(): Set<string> {
    return new Set(this.deps.mounts().map((m) => m.path));
  }

  private isMountPoint(path: string, owner: number): boolean {
    return this.deps.mounts().some((m) => m.path === path && m.id !== owner);
  }

  /** Looks at settings, mounts and crawl states; starts the crawls due. */
  tick(): Promise<void> {
    this.ticking ??= this.doTick()
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'search index: check failed'))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async doTick(): Promise<void> {
    const config = this.config();
    const turnedOn = this.lastMode === 'none' && config.mode !== 'none';
    this.lastMode = config.mode;
    if (config.mode === 'none') return this.abortAll();
    const mounts = this.deps.mounts();
    const states = new Map((await this.crawls.states()).map((s) => [s.storageId, s]));
    for (const s of states.values()) {
      if (mounts.some((m) => m.id === s.storageId)) continue;
      await this.deps.store.clearStorage(s.storageId);
      await this.crawls.forget(s.storageId);
    }
    for (const m of mounts) {
      const s = states.get(m.id);
      if (this.due(s, m, config, turnedOn)) {
        if (s && s.mountPath !== m.path) await this.deps.store.clearStorage(m.id);
        await this.queueMount(m, config);
      }
    }
    for (const s of await this.crawls.states()) {
      const m = mounts.find((x) => x.id === s.storageId);
      if (m && ACTIVE.has(s.state) && !this.running.has(m.id)) this.startCrawl(m.id, s.maxDepth);
    }
  }

  private due(s: MountCrawlState | undefined, m: MountView, config: IndexConfig, turnedOn: boolean): boolean {
    if (!s || s.mountPath !== m.path) return true;
    if (ACTIVE.has(s.state)) return false;
    if (turnedOn) return true;
    if (s.state === 'cleared' || !s.doneAt || config.crawlIntervalHours <= 0) return false;
    return Date.now() - s.doneAt.getTime() > config.crawlIntervalHours * 3_600_000;
  }

  /** Queues a crawl of a whole storage (its mount point first), leaving out what other storages shadow. */
  private async queueMount(m: MountView, config: IndexConfig, maxDepth = -1): Promise<void> {
    for (const other of this.deps.mounts()) if (other.id !== m.id && isWithin(other.path, m.path)) await this.deps.store.removeBelowExcept(other.path, other.id);
    if (m.path !== '/' && indexable(config, m.path, config.maxDepth)) {
      await this.deps.store.put(m.id, [{ parent: parentPath(m.path), name: baseName(m.path), isDir: true, size: 0 }]);
    }
    const from = indexable(config, m.path, config.maxDepth) || m.path === '/' ? [{ path: m.path, depth: depthOf(m.path) }] : [];
    await this.crawls.queue(m.id, m.path, from, maxDepth);
  }

  private startCrawl(storageId: number, maxDepth: number): void {
    const abort = new AbortController();
    const deps = { ...this.deps, crawls: this.crawls, config: () => this.config(), listing: this.listing, leaseMs: this.leaseMs };
    const done = crawlMount(deps, storageId, maxDepth, abort.signal).finally(() => {
      if (this.running.get(storageId)?.abort === abort) this.running.delete(storageId);
    });
    this.running.set(storageId, { abort, done });
  }

  private async abortAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.abort.abort();
    await Promise.allSettled(all.map((r) => r.done));
  }

  private async busy(): Promise<boolean> {
    return (await this.crawls.states()).some((s) => ACTIVE.has(s.state));
  }

  /** OpenList's build: forget everything and crawl every storage again, in the background. */
  async build(): Promise<void> {
    if (await this.busy()) throw new IndexRefusal(IndexRefusal.running);
    await this.chain;
    await this.deps.store.clear();
    await this.crawls.dropFrontier();
    const config = this.config();
    for (const m of this.deps.mounts()) await this.queueMount(m, config);
    void this.tick();
  }

  /**
   * OpenList's update: crawl again the trees at `paths` (the storages below each, and the part of
   * the storage holding it), `maxDepth` levels below each path (the setting's when below 1).
   */
  async update(paths: readonly string[], maxDepth: number): Promise<void> {
    if (await this.busy()) throw new IndexRefusal(IndexRefusal.running);
    const config = this.config();
    const mounts = this.deps.mounts();
    for (const path of paths) {
      const limit = maxDepth > 0 ? depthOf(path) + maxDepth : -1;
      for (const m of mounts) if (isWithin(m.path, path)) await this.queueMount(m, config, limit);
      const holder = mounts.filter((m) => m.path !== path && isWithin(path, m.path)).sort((a, b) => b.path.length - a.path.length)[0];
      if (holder) await this.crawls.queue(holder.id, holder.path, [{ path, depth: depthOf(path) }], limit);
    }
    void this.tick();
  }

  /** Stops every crawl (their frontiers are dropped): OpenList's stop. */
  async stopCrawls(): Promise<void> {
    const states = await this.crawls.states();
    if (!states.some((s) => ACTIVE.has(s.state))) throw new IndexRefusal(IndexRefusal.notRunning);
    await this.abortAll();
    for (const s of states) if (ACTIVE.has(s.state)) await this.crawls.setState(s.storageId, 'stopped', { doneAt: new Date() });
    await this.crawls.dropFrontier();
  }

  /** Forgets every entry; nothing is crawled again until asked (build, update) or a new storage comes. */
  async clear(): Promise<void> {
    if (await this.busy()) throw new IndexRefusal(IndexRefusal.running);
    await this.chain;
    await this.deps.store.clear();
    await this.crawls.dropFrontier();
    await this.crawls.setAll('cleared', null);
  }

  async progress(): Promise<IndexProgress> {
    const states = await this.crawls.states();
    const done = states.map((s) => s.doneAt?.getTime() ?? 0).filter((t) => t > 0);
    return {
      obj_count: await this.deps.store.count(),
      is_done: !states.some((s) => ACTIVE.has(s.state)),
      last_done_time: done.length > 0 ? new Date(Math.max(...done)).toISOString() : null,
      error: states.map((s) => s.error).filter((e) => e !== '').join('; '),
    };
  }

  /** Matches below `root`, ranked and paged, as the gate's view lets the asker see them. */
  async search(req: SearchRequest, view: SearchView): Promise<{ hits: SearchHit[]; total: number }> {
    const config = this.config();
    const words = searchWords(req.keywords);
    const storages = this.deps.mounts().map((m) => m.id);
    const q = { words, whole: words.join(' '), root: req.root, scope: req.scope, storages, exclude: view.exclude, fullText: config.mode === 'database' };
    const visible = (h: SearchHit) => view.allows(h.parent, h.name);
    const page = Math.max(1, req.page);
    if (view.exact && req.perPage > 0) {
      const [rows, total] = await Promise.all([findPage(this.deps.store, q, (page - 1) * req.perPage, req.perPage), countMatches(this.deps.store, q)]);
      return { hits: rows.filter(visible), total };
    }
    const all = (await findPage(this.deps.store, q, 0, SCAN_LIMIT)).filter(visible);
    const hits = req.perPage > 0 ? all.slice((page - 1) * req.perPage, page * req.perPage) : all;
    return { hits, total: all.length };
  }
}
