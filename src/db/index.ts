/** Public face of the database layer. */
export { createDatabase, parseDatabaseUrl } from './client.js';
export type { Database, DatabaseOptions, DatabaseTarget, Db, Engine } from './client.js';
export { ConflictError, DbError, InvalidReferenceError, MigrationError } from './errors.js';
export type { DbErrorCode } from './errors.js';
export { migrateDown, migrateToLatest, migrationStatus } from './migrate.js';
export type { MigrateDownOptions, MigrationStatus, MigrationStep } from './migrate.js';
export * from './repositories/index.js';
export type { DB } from './schema.js';
