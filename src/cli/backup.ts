import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { Kysely } from 'kysely';
import { sql } from '../db/kysely.js';
import { type Database, createDatabase, parseDatabaseUrl } from '../db/client.js';
import { migrationStatus } from '../db/migrate.js';
import { type CommandContext, dataOptions } from './context.js';

/** A portable, engine-independent copy of every table (what `backup --format json` writes). */
export interface BackupDocument {
  format: 'filebridge-backup';
  version: 1;
  createdAt: string;
  engine: string;
  /** Migrations applied to the database the rows come from. */
  migrations: string[];
  tables: Record<string, Record<string, unknown>[]>;
}

/** Tables never copied: the migrator's own, short-lived leases, and the change log (SQLite workers' notices). */
const SKIPPED = new Set(['kysely_migration', 'kysely_migration_lock', 'leases', 'change_log']);
/**
 * The search index (its entries, crawl state and SQLite's full-text tables): derived from the
 * storages, so never copied; a restore empties it and the crawl builds it again.
 */
const DERIVED = /^search_/;
/** The index tables a restore empties (the full-text table follows search_nodes by its triggers). */
const DERIVED_CLEARED = ['search_nodes', 'search_crawl', 'search_mounts'];
/** Parents first, so foreign keys hold while rows go in; the others follow by name. */
const PARENTS = ['users', 'tasks'];
const SQLITE_MAGIC = 'SQLite format 3\0';
const CHUNK = 100;

type AnyDb = Kysely<any>;

function ordered(tables: readonly string[]): string[] {
  const rest = tables.filter((t) => !PARENTS.includes(t)).sort();
  return [...PARENTS.filter((t) => tables.includes(t)), ...rest];
}

async function dataTables(db: AnyDb): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return ordered([...new Set(tables.filter((t) => !t.isView).map((t) => t.name))].filter((n) => !SKIPPED.has(n) && !DERIVED.test(n)));
}

/** Reads every table of `database` into a backup document. */
export async function dumpDatabase(database: Database): Promise<BackupDocument> {
  const db = database.db as unknown as AnyDb;
  const migrations = (await migrationStatus(database)).filter((m) => m.executedAt !== null).map((m) => m.name);
  const tables: BackupDocument['tables'] = {};
  await db.transaction().execute(async (trx) => {
    for (const table of await dataTables(trx)) {
      tables[table] = (await trx.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    }
  });
  return { format: 'filebridge-backup', version: 1, createdAt: new Date().toISOString(), engine: database.engine, migrations, tables };
}

function checkDocument(value: unknown): BackupDocument {
  const doc = value as Partial<BackupDocument> | null;
  if (doc?.format !== 'filebridge-backup' || doc.version !== 1 || typeof doc.tables !== 'object' || !Array.isArray(doc.migrations)) {
    throw new Error('not a filebridge backup (expected a JSON backup or an SQLite database file)');
  }
  return doc as BackupDocument;
}

/** After rows with explicit ids went in, PostgreSQL's serial sequences must continue after them. */
async function resetSequences(trx: AnyDb, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const columns = (await trx.introspection.getTables()).find((t) => t.name === table)?.columns ?? [];
    // Only auto-increment ids have a sequence (the tasks table's ids are text).
    if (!columns.some((c) => c.name === 'id' && c.isAutoIncrementing)) continue;
    await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ${sql.table(table)}`.execute(trx);
  }
}

/**
 * Replaces the content of every table of `database` (migrated to latest) with the backup's,
 * in one transaction. Refuses a backup made by a newer schema than this one knows.
 */
export async function restoreDatabase(database: Database, doc: BackupDocument): Promise<Record<string, number>> {
  const known = new Set((await migrationStatus(database)).map((m) => m.name));
  const unknown = doc.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) throw new Error(`the backup comes from a newer filebridge (unknown migrations: ${unknown.join(', ')})`);
  const db = database.db as unknown as AnyDb;
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    const present = await dataTables(trx);
    const missing = Object.keys(doc.tables).filter((t) => !present.includes(t));
    if (missing.length > 0) throw new Error(`the backup has tables this database lacks: ${missing.join(', ')}`);
    for (const table of [...present].reverse()) await trx.deleteFrom(table).execute();
    const all = new Set((await trx.introspection.getTables()).map((t) => t.name));
    for (const table of DERIVED_CLEARED) if (all.has(table)) await trx.deleteFrom(table).execute();
    for (const table of ordered(Object.keys(doc.tables))) {
      const rows = doc.tables[table] ?? [];
      for (let i = 0; i < rows.length; i += CHUNK) await trx.insertInto(table).values(rows.slice(i, i + CHUNK)).execute();
      counts[table] = rows.length;
    }
    if (database.engine === 'postgres') await resetSequences(trx, Object.keys(doc.tables));
  });
  return counts;
}

function isSqliteFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString('latin1') === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** Reads a backup: an SQLite database file (from `backup` on SQLite) or a JSON document. */
export async function readBackup(file: string): Promise<BackupDocument> {
  if (!isSqliteFile(file)) return checkDocument(JSON.parse(await readFile(file, 'utf8')));
  const source = await createDatabase(`sqlite:${path.resolve(file)}`);
  try {
    return await dumpDatabase(source);
  } finally {
    await source.close();
  }
}

/** SQLite's online backup API: a consistent copy while the server keeps running. */
async function sqliteBackup(filename: string, file: string): Promise<void> {
  const { default: SqliteDatabase } = await import('better-sqlite3');
  const source = new SqliteDatabase(filename, { fileMustExist: true });
  try {
    await source.backup(file);
  } finally {
    source.close();
  }
}

/** Writes next to the target first, so a failed backup never leaves a half file under its name. */
async function writeBackup(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.partial-${process.pid}`;
  await write(tmp);
  await rename(tmp, file);
}

export interface BackupOptions {
  /** `sqlite` (SQLite only: a database file) or `json` (any engine). Default: sqlite on SQLite, json otherwise. */
  format?: 'sqlite' | 'json';
}

/** Backs up the database at `url` into `file`; returns the format written. */
export async function backupTo(url: string, file: string, options: BackupOptions = {}): Promise<'sqlite' | 'json'> {
  const target = parseDatabaseUrl(url);
  const format = options.format ?? (target.engine === 'sqlite' ? 'sqlite' : 'json');
  if (format === 'sqlite') {
    if (target.engine !== 'sqlite') throw new Error('--format sqlite needs an SQLite database; use --format json');
    await writeBackup(file, (tmp) => sqliteBackup(target.filename, tmp));
    return format;
  }
  const database = await createDatabase(url);
  try {
    const doc = await dumpDatabase(database);
    await writeBackup(file, (tmp) => writeFile(tmp, JSON.stringify(doc)));
  } finally {
    await database.close();
  }
  return format;
}

/** `filebridge backup <file>` and `filebridge restore <file>`. */
export function backupCommands(ctx: CommandContext): Command[] {
  const backup = dataOptions(new Command('backup'))
    .description('copy the database into <file> (safe while servers run): an SQLite file, or JSON for PostgreSQL')
    .argument('<file>', 'where to write the backup')
    .addOption(new Option('--format <format>', 'sqlite (SQLite only) or json (any engine)').choices(['sqlite', 'json']))
    .action(async (file: string, o: { data?: string; db?: string; format?: 'sqlite' | 'json' }) => {
      const config = ctx.config({ data: o.data, db: o.db });
      const format = await backupTo(config.db, file, { format: o.format });
      ctx.print(`backed up ${parseDatabaseUrl(config.db).engine} database to ${file} (${format})`);
    });
  const restore = dataOptions(new Command('restore'))
    .description('replace every table with the content of a backup (stop the servers first); works across engines')
    .argument('<file>', 'a backup written by `filebridge backup`')
    .action(async (file: string, o: { data?: string; db?: string }) => {
      const doc = await readBackup(file);
      const { database } = await ctx.openDatabase(ctx.config({ data: o.data, db: o.db }));
      try {
        const counts = await restoreDatabase(database, doc);
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        ctx.print(`restored ${total} rows in ${Object.keys(counts).length} tables from ${file}`);
      } finally {
        await database.close();
      }
    });
  return [backup, restore];
}
