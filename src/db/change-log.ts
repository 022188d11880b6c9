import type BetterSqlite3 from 'better-sqlite3';
import { type ChangeListener, type ChangeNotifier, type ChangeTopic, Listeners, type NotifierLogger, RESYNC } from './change-notifier.js';

export interface ChangeLogOptions {
  logger?: NotifierLogger;
  /** A background catch-up this often, for a process that gets no requests (default 1000 ms; 0: off). */
  pollMs?: number;
  /** Rows older than this are pruned (default 10 minutes); the newest row is always kept. */
  keepMs?: number;
  /** How often rows are pruned (default 60 s; 0: off). */
  pruneEveryMs?: number;
  /** Longest a `sync` waits for the reloads it started (default 5 s); a request is never held longer. */
  waitMs?: number;
}

interface Row {
  id: number;
  topic: string;
}

/** What the log's rows say since `last`: the topics to emit, or that some were missed. */
export function readRows(rows: readonly Row[], last: number): { topics: ChangeTopic[]; lost: boolean; last: number } {
  // `rows` holds every row after `last`, plus the newest row even when it is not after `last`.
  const fresh = rows.filter((r) => r.id > last);
  const newest = rows.at(-1)?.id ?? 0;
  // Ids are contiguous (one writer at a time, AUTOINCREMENT): a gap means rows were pruned unread;
  // a newest row before `last` (or none at all) means the log was emptied or made anew.
  const lost = fresh.length > 0 ? fresh[0]?.id !== last + 1 : newest < last;
  return { topics: lost ? [RESYNC] : [...new Set(fresh.map((r) => r.topic))], lost, last: newest };
}

/**
 * SQLite's change notifier, for several server processes (workers) and the CLI on one database
 * file. Triggers (migration change_log) append a row per change of a table other processes keep
 * copies of; `sync` asks SQLite whether another connection committed since the last look
 * (`PRAGMA data_version` on this notifier's own connection: a check of the shared-memory header,
 * microseconds, no query), and only then reads the rows after the last one seen and emits their
 * topics. It runs before every request, so a change committed by another process is seen by this
 * one's next request; a slow background poll catches idle processes up. The own connection means
 * this process's own commits count as "another connection" too: its own changes come back, as
 * NOTIFY's do on PostgreSQL.
 */
export class SqliteChangeLog implements ChangeNotifier {
  readonly live = false;
  private readonly listeners = new Listeners();
  private readonly done: Promise<void> = Promise.resolve();
  private readonly dataVersion: BetterSqlite3.Statement<[], number>;
  private readonly readAfter: BetterSqlite3.Statement<[number], Row>;
  private readonly append: BetterSqlite3.Statement<[string, number]>;
  private readonly prune: BetterSqlite3.Statement<[number]>;
  private version: number;
  private last: number;
  /** The reloads started by changes seen, until they are done. */
  private pending: Promise<void> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  /** Opens its own connection to the database file (migrated: the change_log table must exist). */
  static async open(filename: string, options: ChangeLogOptions = {}): Promise<SqliteChangeLog> {
    const { default: SqliteDatabase } = await import('better-sqlite3');
    const sqlite = new SqliteDatabase(filename, { fileMustExist: true });
    try {
      sqlite.pragma('busy_timeout = 5000');
      return new SqliteChangeLog(sqlite, options);
    } catch (err) {
      sqlite.close();
      throw err;
    }
  }

  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly options: ChangeLogOptions = {},
  ) {
    this.dataVersion = sqlite.prepare<[], number>('PRAGMA data_version').pluck();
    this.readAfter = sqlite.prepare<[number], Row>('SELECT id, topic FROM change_log WHERE id > ? OR id = (SELECT MAX(id) FROM change_log) ORDER BY id');
    this.append = sqlite.prepare<[string, number]>('INSERT INTO change_log (topic, created) VALUES (?, ?)');
    this.prune = sqlite.prepare<[number]>('DELETE FROM change_log WHERE created < ? AND id < (SELECT MAX(id) FROM change_log)');
    // The version first: a commit between the two reads is then seen again, never missed.
    this.version = this.dataVersion.get() ?? 0;
    this.last = sqlite.prepare<[], number>('SELECT COALESCE(MAX(id), 0) FROM change_log').pluck().get() ?? 0;
    this.every(options.pollMs ?? 1000, () => void this.sync());
    this.every(options.pruneEveryMs ?? 60_000, () => this.pruneOld());
  }

  subscribe(listener: ChangeListener): () => void {
    return this.listeners.add(listener);
  }

  /**
   * Emits what other connections committed since the last look; resolves once the reloads the
   * listeners started are done (or after `waitMs`). Nothing committed: the same resolved promise
   * (or the reloads still under way from an earlier look), at the cost of one pragma.
   */
  readonly sync = (): Promise<void> => {
    // Nobody listens yet (the server is still loading its copies): changes wait for the first one.
    if (this.closed || this.listeners.size === 0) return this.done;
    let version: number;
    try {
      version = this.dataVersion.get() ?? 0;
    } catch (err) {
      this.options.logger?.warn({ err }, 'could not check the database for changes');
      return this.pending ?? this.done;
    }
    if (version !== this.version) {
      this.version = version;
      this.catchUp();
    }
    return this.pending ?? this.done;
  };

  /** Appends a notice (which folders changed); every process hears it on its next look, this one too. */
  async publish(topic: ChangeTopic): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.append.run(topic, Math.floor(Date.now() / 1000));
      return true;
    } catch (err) {
      this.options.logger?.warn({ err }, 'could not append to the change log');
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.sqlite.close();
  }

  private catchUp(): void {
    let rows: Row[];
    try {
      rows = this.readAfter.all(this.last);
    } catch (err) {
      this.options.logger?.warn({ err }, 'could not read the change log');
      return;
    }
    const read = readRows(rows, this.last);
    this.last = read.last;
    if (read.lost) this.options.logger?.info({}, 'change log rows were missed: reloading everything');
    const started = read.topics.flatMap((topic) => this.listeners.emit(topic, this.options.logger));
    if (started.length > 0) this.track(Promise.all(started).then(() => undefined));
  }

  /** Keeps `work` as pending (joined with what is pending already) until it is done or `waitMs` passed. */
  private track(work: Promise<void>): void {
    const waitMs = this.options.waitMs ?? 5000;
    const bounded = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.options.logger?.warn({ waitMs }, 'reloads after a change elsewhere are slow: requests go on meanwhile');
        resolve();
      }, waitMs);
      timer.unref();
      void work.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    const before = this.pending;
    const next = before ? Promise.all([before, bounded]).then(() => undefined) : bounded;
    this.pending = next;
    void next.then(() => {
      if (this.pending === next) this.pending = undefined;
    });
  }

  private pruneOld(): void {
    try {
      this.prune.run(Math.floor((Date.now() - (this.options.keepMs ?? 600_000)) / 1000));
    } catch (err) {
      this.options.logger?.warn({ err }, 'could not prune the change log');
    }
  }

  private every(ms: number, run: () => void): void {
    if (ms <= 0) return;
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
