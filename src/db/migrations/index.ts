import type { Migration } from 'kysely';
import type { Engine } from '../client.js';
import { init } from './20261122030000_init.js';

export type MigrationFactory = (engine: Engine) => Migration;

/**
 * Every migration, in order. Append-only: never edit, rename or remove an entry
 * that has shipped; add a new `<timestamp>_<name>.ts` file and list it here.
 */
export const MIGRATIONS: ReadonlyArray<readonly [name: string, factory: MigrationFactory]> = Object.freeze([
  ['20261122030000_init', init],
] as const);

export function buildMigrations(engine: Engine): Record<string, Migration> {
  return Object.fromEntries(MIGRATIONS.map(([name, factory]) => [name, factory(engine)]));
}
