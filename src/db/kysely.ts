import { createRequire } from 'node:module';
import type * as K from 'kysely';

/**
 * kysely's runtime values, from its CommonJS build: kysely is some 260 modules, and Node 20's ESM
 * loader takes about twice as long over them as `require` does, a tenth of the server's start
 * (bench/results/startup.md). Same package, same version. Types still come from 'kysely' with
 * `import type`; lint refuses value imports of 'kysely' elsewhere in src/, which would load its
 * ESM build beside this one.
 */
const kysely = createRequire(import.meta.url)('kysely') as typeof K;

export const { DEFAULT_MIGRATION_TABLE, Kysely, Migrator, NO_MIGRATIONS, PostgresDialect, SqliteDialect, sql } = kysely;
export type Kysely<DB> = K.Kysely<DB>;
export type Migrator = K.Migrator;
