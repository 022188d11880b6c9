import type { FsChange } from '../core/virtual-fs.js';
import type { ChangeNotifier, ChangeTopic, NotifierLogger } from '../db/notify.js';
import { RESYNC } from '../db/notify.js';
import { parseFsTopic } from './fs-changes.js';

/** Reloads one in-memory copy; runs at most once at a time and once more if asked meanwhile. */
export class Coalesced {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly reload: () => Promise<void>, private readonly onError: (err: unknown) => void) {}

  trigger(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.reload();
      } catch (err) {
        this.onError(err);
      }
    } while (this.again);
  }

  /** Resolves once no reload is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}

/** What each instance keeps copies of, and how to refresh each copy. */
export interface InvalidationTargets {
  /** Mount configurations (storages): reconcile the mount table with the database. */
  mounts: { reconcile(): Promise<void> };
  settings: { reload(): Promise<void> };
  metas: { reload(): Promise<void> };
  /** WebDAV locks: copies of the unexpired locks are dropped and read again when next needed. */
  davLocks?: { changedElsewhere(): void };
  /**
   * Listing caches: folders another instance changed are forgotten (its own notices, marked with
   * `instance`, are skipped); after a reconnect, everything is.
   */
  fs?: { instance: string; forgetChanged(change: FsChange): void; forgetAll(): void };
}

export interface Invalidation {
  /** Resolves once no reload is under way (the notifier's `sync` already waits for the reloads it started). */
  settle(): Promise<void>;
  /** Stops reacting to changes and waits for reloads under way. */
  stop(): Promise<void>;
}

/**
 * Refreshes this instance's copies when another instance (or the CLI) changes the database.
 * Users, API tokens and revoked sessions have no copies to refresh: they are read from the
 * database on every request, so a revocation anywhere holds everywhere at once.
 */
export function wireInvalidation(notifier: ChangeNotifier, targets: InvalidationTargets, logger: NotifierLogger): Invalidation {
  const failed = (what: string) => (err: unknown) => logger.warn({ err }, `could not reload ${what} after a change elsewhere`);
  const handlers: Record<string, Coalesced> = {
    storages: new Coalesced(() => targets.mounts.reconcile(), failed('mounts')),
    settings: new Coalesced(() => targets.settings.reload(), failed('settings')),
    metas: new Coalesced(() => targets.metas.reload(), failed('path metas')),
  };
  if (targets.davLocks) {
    const davLocks = targets.davLocks;
    handlers.dav_locks = new Coalesced(async () => davLocks.changedElsewhere(), failed('WebDAV locks'));
  }
  const fs = targets.fs;
  // Returns the reloads it starts, so that a notifier's `sync` can wait for them (SQLite workers).
  const unsubscribe = notifier.subscribe((topic: ChangeTopic): Promise<void> | undefined => {
    if (topic === RESYNC) {
      fs?.forgetAll();
      return Promise.all(Object.values(handlers).map((h) => h.trigger())).then(() => undefined);
    }
    const notice = fs ? parseFsTopic(topic) : undefined;
    if (notice) {
      if (notice.instance !== fs?.instance) for (const c of notice.changes) fs?.forgetChanged(c);
      return undefined;
    }
    return handlers[topic]?.trigger();
  });
  const settle = async () => {
    await Promise.all(Object.values(handlers).map((h) => h.idle()));
  };
  return {
    settle,
    stop: async () => {
      unsubscribe();
      await settle();
    },
  };
}
