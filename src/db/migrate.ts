import type { MigrationResult, MigrationResultSet } from 'kysely';
import type { Database } from './client.js';
import { MigrationError } from './errors.js';
import { DEFAULT_MIGRATION_TABLE, Migrator, NO_MIGRATIONS, sql } from './kysely.js';
import { MIGRATIONS, buildMigrations } from './migrations/index.js';

export interface MigrationStep {
  name: string;
  direction: 'Up' | 'Down';
}

export interface MigrationStatus {
  name: string;
  /** When it ran, or null when still pending. */
  executedAt: Date | null;
}

function createMigrator(database: Database): Migrator {
  const migrations = buildMigrations(database.engine);
  return new Migrator({
    db: database.db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns kysely's result set into the steps that ran, or throws a readable MigrationError. */
function unwrap(result: MigrationResultSet, action: string): MigrationStep[] {
  const results: MigrationResult[] = result.results ?? [];
  const failed = results.find((r) => r.status === 'Error');
  if (result.error !== undefined) {
    const where = failed === undefined ? '' : ` in migration "${failed.migrationName}"`;
    throw new MigrationError(`database ${action} failed${where}: ${describe(result.error)}`, {
      cause: result.error,
      ...(failed === undefined ? {} : { migrationName: failed.migrationName }),
    });
  }
  return results
    .filter((r) => r.status === 'Success')
    .map((r) => ({ name: r.migrationName, direction: r.direction }));
}

/**
 * Whether the database has run exactly the known migrations: one query, on every start. Anything
 * else (a fresh database, a pending migration, one this version does not know) is the migrator's
 * to handle, and to refuse.
 */
async function upToDate(database: Database): Promise<boolean> {
  let ran: string[];
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(database.db);
    ran = rows.map((r) => r.name);
  } catch {
    return false;
  }
  const known = new Set(MIGRATIONS.map(([name]) => name));
  return ran.length === known.size && ran.every((name) => known.has(name));
}

/** Applies every pending migration. Returns the ones that ran (empty when up to date). */
export async function migrateToLatest(database: Database): Promise<MigrationStep[]> {
  if (await upToDate(database)) return [];
  return unwrap(await createMigrator(database).migrateToLatest(), 'migration');
}

export interface MigrateDownOptions {
  /** Undo every migration instead of only the latest one. */
  all?: boolean;
}

/** Undoes the latest migration (or all of them). Returns the ones that were undone. */
export async function migrateDown(database: Database, options: MigrateDownOptions = {}): Promise<MigrationStep[]> {
  const migrator = createMigrator(database);
  const result = options.all === true ? await migrator.migrateTo(NO_MIGRATIONS) : await migrator.migrateDown();
  return unwrap(result, 'rollback');
}

/** Every known migration, in order, with when it ran. */
export async function migrationStatus(database: Database): Promise<MigrationStatus[]> {
  const infos = await createMigrator(database).getMigrations();
  return infos.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
