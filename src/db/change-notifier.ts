/**
 * A changed table's name (`storages`, `settings`, `metas`, `users`, `api_tokens`,
 * `revoked_sessions`, `dav_locks`), a published notice (`fs:...`), or `*` after changes may have
 * been missed (a reconnect, pruned change log rows): reload everything.
 */
export type ChangeTopic = string;
export const RESYNC: ChangeTopic = '*';

/**
 * Hears about a change. It may return the reload it started (a promise): a notifier that is asked
 * to catch up (`sync`) waits for those before it resolves. Any other value is ignored.
 */
export type ChangeListener = (topic: ChangeTopic) => unknown;

/** Hears about database changes made by any instance (or the CLI) on the same database. */
export interface ChangeNotifier {
  /** True when changes made elsewhere are pushed (PostgreSQL); false means they are pulled or polled. */
  readonly live: boolean;
  subscribe(listener: ChangeListener): () => void;
  /**
   * Tells every instance on the database (this one too) about a change no table write carries.
   * Best effort: false when it could not be sent now (no connection, or no other process to hear it).
   */
  publish(topic: ChangeTopic): Promise<boolean>;
  /**
   * Pulled notifiers only (SQLite): looks for changes other processes committed, emits them and
   * resolves once the reloads the listeners started are done. Cheap when nothing changed (no
   * query, no allocation), so it runs before every request.
   */
  readonly sync?: () => Promise<void>;
  close(): Promise<void>;
}

export interface NotifierLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class Listeners {
  private readonly set = new Set<ChangeListener>();

  get size(): number {
    return this.set.size;
  }

  add(listener: ChangeListener): () => void {
    this.set.add(listener);
    return () => void this.set.delete(listener);
  }

  /** Calls every listener; returns the reloads they started (never rejecting). */
  emit(topic: ChangeTopic, logger?: NotifierLogger): Promise<void>[] {
    const started: Promise<void>[] = [];
    for (const listener of [...this.set]) {
      try {
        const result = listener(topic);
        if (result instanceof Promise) {
          started.push(result.then(() => undefined, (err: unknown) => logger?.warn({ err, topic }, 'a change listener failed')));
        }
      } catch (err) {
        logger?.warn({ err, topic }, 'a change listener failed');
      }
    }
    return started;
  }
}
