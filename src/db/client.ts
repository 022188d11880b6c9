import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { Kysely, PostgresDialect, SqliteDialect } from './kysely.js';
import { LRUCache } from 'lru-cache';
import { restrictToOwner } from '../lib/file-mode.js';
import { DbError } from './errors.js';
import type { DB } from './schema.js';

export type Engine = 'sqlite' | 'postgres';
export type Db = Kysely<DB>;

export interface Database {
  readonly db: Db;
  readonly engine: Engine;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { engine: 'sqlite'; filename: string }
  | { engine: 'postgres'; connectionString: string };

/**
 * Accepts `postgres://…` / `postgresql://…`, `sqlite:<path>` (also `sqlite://<path>`),
 * `:memory:` / `sqlite::memory:`, or a plain file path.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const trimmed = url.trim();
  if (trimmed === '') throw new DbError('invalid_url', 'database url is empty');
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { engine: 'postgres', connectionString: trimmed };
  let filename = trimmed;
  if (/^sqlite:/i.test(filename)) {
    filename = filename.slice('sqlite:'.length);
    if (filename.startsWith('//')) filename = filename.slice(2);
  }
  if (filename === '') throw new DbError('invalid_url', `database url "${url}" names no file`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(filename)) {
    throw new DbError('invalid_url', `unsupported database url "${url}" (use sqlite:<path> or postgres://…)`);
  }
  return { engine: 'sqlite', filename };
}

/** How many distinct prepared statements one SQLite connection keeps for reuse. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query afresh; preparing costs more than running the small queries of a
 * request. This keeps prepared statements by their SQL text and hands them out again (kysely
 * runs one query at a time on its single SQLite connection and reads results with `all`/`run`,
 * so a cached statement is never busy when it is handed out again; `iterate` gets its own).
 */
export function withStatementCache(sqlite: SqliteDatabase): SqliteDatabase {
  const cache = new LRUCache<string, SqliteStatement>({ max: STATEMENT_CACHE_SIZE });
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let cached = cache.get(sql);
      if (cached) return cached;
      const stmt = sqlite.prepare(sql);
      cached = {
        reader: stmt.reader,
        all: (params) => stmt.all(params),
        run: (params) => stmt.run(params),
        // A streamed read holds its statement until the iterator ends: it gets a private one.
        iterate: (params) => sqlite.prepare(sql).iterate(params),
      };
      cache.set(sql, cached);
      return cached;
    },
  };
}

/** The files SQLite keeps for a database: the file itself, its write-ahead log and shared memory. */
export function sqliteFiles(filename: string): string[] {
  return [filename, `${filename}-wal`, `${filename}-shm`, `${filename}-journal`];
}

/**
 * Creates the database file owner-only (0600) before SQLite opens it, so it is never readable by
 * others, not even for a moment; SQLite gives the -wal and -shm files it creates the mode of the
 * database file. Files made by older versions (0644) are set to 0600 too.
 */
function prepareSqliteFile(filename: string): void {
  mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  closeSync(openSync(filename, 'a', 0o600));
  for (const file of sqliteFiles(filename)) restrictToOwner(file);
}

async function openSqlite(filename: string): Promise<Database> {
  const { default: SqliteDatabase } = await import('better-sqlite3');
  const onDisk = filename !== ':memory:' && !filename.startsWith('file:');
  if (onDisk) prepareSqliteFile(filename);
  const sqlite = new SqliteDatabase(filename);
  try {
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    // WAL mode made the -wal and -shm files just now (or found old ones): owner-only as well.
    if (onDisk) for (const file of sqliteFiles(filename)) restrictToOwner(file);
  } catch (err) {
    sqlite.close();
    throw err;
  }
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, engine: 'sqlite', close: () => db.destroy() };
}

export interface DatabaseOptions {
  /** PostgreSQL only: errors of idle pooled connections (which would otherwise be dropped). */
  onPoolError?: (err: Error) => void;
  /** PostgreSQL only: pool size, default 10. */
  maxConnections?: number;
}

async function openPostgres(connectionString: string, options: DatabaseOptions): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10 });
  // An idle client's error is emitted on the pool; unhandled it would crash the process.
  pool.on('error', (err) => options.onPoolError?.(err));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/** Opens the database named by `url`. Does not run migrations (see migrate.ts). */
export async function createDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  if (target.engine === 'postgres') return openPostgres(target.connectionString, options);
  return openSqlite(target.filename);
}
