import type pg from 'pg';
import { type ChangeListener, type ChangeNotifier, type ChangeTopic, Listeners, type NotifierLogger, RESYNC } from './change-notifier.js';
import { SqliteChangeLog, type ChangeLogOptions } from './change-log.js';
import { parseDatabaseUrl } from './client.js';
import { CHANGE_CHANNEL } from './migrations/20261123010000_change_notify.js';

export { RESYNC } from './change-notifier.js';
export type { ChangeListener, ChangeNotifier, ChangeTopic, NotifierLogger } from './change-notifier.js';

export interface NotifierOptions {
  logger?: NotifierLogger;
  /** Reconnect backoff after the LISTEN connection is lost (default 200 ms, doubling to 10 s, jittered). */
  reconnect?: { initialMs: number; maxMs: number };
  /** A `SELECT 1` on the LISTEN connection this often detects a dead link (default 15 s; 0 = off). */
  heartbeatMs?: number;
  /** SQLite: the change log's background poll, pruning and wait limit (see change-log.ts). */
  changeLog?: Omit<ChangeLogOptions, 'logger'>;
}

/** An in-memory SQLite database: no other process can change it, so nothing is ever heard. */
function quietNotifier(): ChangeNotifier {
  const listeners = new Listeners();
  return { live: false, subscribe: (l) => listeners.add(l), publish: async () => false, close: async () => undefined };
}

/** One dedicated `pg` client (not from the pool) that LISTENs, reconnecting with backoff when lost. */
class PgChangeListener implements ChangeNotifier {
  readonly live = true;
  private readonly listeners = new Listeners();
  /** The client being connected or listening; events of any other client are stale. */
  private current: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private failures = 0;

  constructor(
    private readonly pgModule: typeof pg,
    private readonly connectionString: string,
    private readonly options: NotifierOptions,
  ) {}

  subscribe(listener: ChangeListener): () => void {
    return this.listeners.add(listener);
  }

  async publish(topic: ChangeTopic): Promise<boolean> {
    const client = this.current;
    if (!client || this.closed) return false;
    try {
      await notifyChange(client, topic);
      return true;
    } catch {
      // A broken connection is noticed (and re-established) by its own error handlers.
      return false;
    }
  }

  /** Connects and LISTENs; on failure logs, schedules a retry and returns false. */
  async connect(): Promise<boolean> {
    const client = new this.pgModule.Client({ connectionString: this.connectionString, keepAlive: true, query_timeout: 10_000 });
    this.current = client;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (msg) => {
      if (msg.channel === CHANGE_CHANNEL) void this.listeners.emit(msg.payload ?? RESYNC, this.options.logger);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return false;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return false;
    }
    this.startHeartbeat(client);
    if (this.failures > 0) {
      this.options.logger?.info({ after: this.failures }, 'change listener reconnected');
      this.failures = 0;
      void this.listeners.emit(RESYNC, this.options.logger);
    }
    return true;
  }

  private startHeartbeat(client: pg.Client): void {
    const every = this.options.heartbeatMs ?? 15_000;
    if (every <= 0) return;
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((err: unknown) => this.lost(client, err));
    }, every);
    this.heartbeat.unref();
  }

  /** The connection failed: drop it and try again later (once per client; stale clients are ignored). */
  private lost(client: pg.Client, err: unknown): void {
    if (this.closed || client !== this.current || this.timer !== undefined) return;
    this.current = undefined;
    clearInterval(this.heartbeat);
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    this.failures++;
    const { initialMs, maxMs } = this.options.reconnect ?? { initialMs: 200, maxMs: 10_000 };
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures - 1, 20)) * (0.5 + Math.random() / 2);
    this.options.logger?.warn({ err, retryInMs: Math.round(delay) }, 'change listener lost its database connection');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    const client = this.current;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }
}

/**
 * The change notifier for the database at `url`: LISTEN/NOTIFY on PostgreSQL (fed by the
 * triggers of the change_notify migration); on SQLite the change log (triggers of the change_log
 * migration, read when another connection committed: see change-log.ts), which needs the schema
 * migrated first. On PostgreSQL it is listening when this returns (or, if the first attempt
 * failed, retrying in the background).
 */
export async function createChangeNotifier(url: string, options: NotifierOptions = {}): Promise<ChangeNotifier> {
  const target = parseDatabaseUrl(url);
  if (target.engine === 'sqlite') {
    if (target.filename === ':memory:' || target.filename.startsWith('file:')) return quietNotifier();
    return SqliteChangeLog.open(target.filename, { ...options.changeLog, logger: options.logger });
  }
  const { default: pgModule } = await import('pg');
  const listener = new PgChangeListener(pgModule, target.connectionString, options);
  await listener.connect();
  return listener;
}

/** Sends a change notification by hand (the triggers cover table writes; this is for anything else). */
export async function notifyChange(client: Pick<pg.ClientBase, 'query'>, topic: ChangeTopic): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, topic]);
}
