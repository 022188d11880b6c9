import { randomUUID } from 'node:crypto';
import type { VEntry } from '../core/entries.js';
import { isFsError } from '../core/errors.js';
import { isUpstreamFailure } from '../core/guard.js';
import { applyListing, type MountView } from './apply.js';
import { type IndexConfig, depthOf } from './config.js';
import type { CrawlStore } from './crawl-store.js';
import type { SearchStore } from './store.js';

/** How the crawl lists folders: through core, with the mount's cache, guard and breaker. */
export interface CrawlFs {
  list(path: string, options: { signal?: AbortSignal }): Promise<{ entries: readonly VEntry[] }>;
}

/** A database lease (cluster/lease's repository): one crawl of a storage at a time across instances. */
export interface CrawlLocks {
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

export interface CrawlLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface CrawlDeps {
  store: SearchStore;
  crawls: CrawlStore;
  fs: CrawlFs;
  locks?: CrawlLocks;
  logger: CrawlLogger;
  /** The mounts now (a storage may go away or stop answering while it is crawled). */
  mounts(): readonly MountView[];
  config(): IndexConfig;
  /** Folders being listed by a crawl now: the listing hook leaves them to the crawl. */
  listing: Set<string>;
  leaseMs: number;
}

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * One storage's background crawl: lists the folders of its frontier one at a time, paced to the
 * `index_crawl_rate`, makes the index's copy of each listing true, and queues the subfolders
 * (down to the depth limit, ignore paths left out). While the storage is not answering it waits;
 * upstream failures back off exponentially (the mount's breaker fails fast meanwhile). Every
 * folder's outcome is durable before the next one, so a stop or a restart loses nothing.
 */
export async function crawlMount(deps: CrawlDeps, storageId: number, maxDepth: number, signal: AbortSignal): Promise<void> {
  const holder = randomUUID();
  const lease = `search-crawl-${storageId}`;
  if (deps.locks && !(await deps.locks.acquire(lease, holder, deps.leaseMs))) return;
  let renewed = Date.now();
  let backoff = BACKOFF_MIN_MS;
  let last = 0;
  try {
    await deps.crawls.setState(storageId, 'running');
    while (!signal.aborted) {
      if (deps.locks && Date.now() - renewed > deps.leaseMs / 3) {
        if (!(await deps.locks.acquire(lease, holder, deps.leaseMs))) return;
        renewed = Date.now();
      }
      const mount = deps.mounts().find((m) => m.id === storageId);
      if (!mount) return;
      if (!mount.ready) {
        await pause(BACKOFF_MIN_MS, signal);
        continue;
      }
      const [dir] = await deps.crawls.next(storageId, 1);
      if (!dir) {
        await deps.crawls.finish(storageId);
        deps.logger.info({ storageId }, 'search index: crawl done');
        return;
      }
      const config = deps.config();
      const gap = 1000 / config.crawlRate - (Date.now() - last);
      // At least one turn of the event loop between folders: requests are served in between.
      await pause(Math.max(0, gap), signal);
      if (signal.aborted) return;
      last = Date.now();
      const ok = await crawlDir(deps, { storageId, mount, dir, maxDepth, config }, signal);
      if (ok === 'retry') {
        await pause(backoff, signal);
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      } else backoff = BACKOFF_MIN_MS;
    }
  } catch (err) {
    if (!signal.aborted) deps.logger.warn({ err, storageId }, 'search index: crawl stopped by an error; it goes on at the next check');
  } finally {
    await deps.locks?.release(lease, holder).catch(() => undefined);
  }
}

interface DirJob {
  storageId: number;
  mount: MountView;
  dir: { path: string; depth: number };
  maxDepth: number;
  config: IndexConfig;
}

async function crawlDir(deps: CrawlDeps, job: DirJob, signal: AbortSignal): Promise<'ok' | 'retry'> {
  const { storageId, dir, config } = job;
  const limit = job.maxDepth >= 0 ? job.maxDepth : config.maxDepth;
  let entries: readonly VEntry[];
  deps.listing.add(dir.path);
  try {
    entries = (await deps.fs.list(dir.path, { signal })).entries;
  } catch (err) {
    if (signal.aborted) return 'ok';
    if (isFsError(err, 'not_found') || isFsError(err, 'not_a_directory')) {
      if (dir.path !== job.mount.path) await deps.store.removeTree(dir.path);
      await deps.crawls.listed(storageId, dir.path, []);
      return 'ok';
    }
    await deps.crawls.noteError(storageId, `${dir.path}: ${message(err)}`);
    if (isUpstreamFailure(err)) return 'retry';
    await deps.crawls.listed(storageId, dir.path, []);
    return 'ok';
  } finally {
    deps.listing.delete(dir.path);
  }
  const mountPaths = new Set(deps.mounts().map((m) => m.path));
  const folders = await applyListing(deps.store, { storageId, dir: dir.path, limit, mountPaths }, entries, config);
  const more = folders.filter((f) => depthOf(f.path) < limit).map((f) => ({ path: f.path, depth: dir.depth + 1 }));
  await deps.crawls.listed(storageId, dir.path, more);
  return 'ok';
}
