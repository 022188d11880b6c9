import type { Migration } from 'kysely';
import type { Engine } from '../client.js';
import { init } from './20261122030000_init.js';
import { webdav } from './20261122040000_webdav.js';
import { leases } from './20261122050000_leases.js';
import { changeNotify } from './20261123010000_change_notify.js';
import { audit } from './20261123020000_audit.js';
import { davLocksNotify } from './20261124010000_dav_locks_notify.js';
import { tasks } from './20261203010000_tasks.js';
import { accountSecurity } from './20261203110000_account_security.js';
import { changeLog } from './20261205010000_change_log.js';
import { shares } from './20261206010000_shares.js';
import { openlistUi } from './20261206020000_openlist_ui.js';
import { searchIndex } from './20261207010000_search_index.js';

export type MigrationFactory = (engine: Engine) => Migration;

/**
 * Every migration, in order. Append-only: never edit, rename or remove an entry
 * that has shipped; add a new `<timestamp>_<name>.ts` file and list it here.
 */
export const MIGRATIONS: ReadonlyArray<readonly [name: string, factory: MigrationFactory]> = Object.freeze([
  ['20261122030000_init', init],
  ['20261122040000_webdav', webdav],
  ['20261122050000_leases', leases],
  ['20261123010000_change_notify', changeNotify],
  ['20261123020000_audit', audit],
  ['20261124010000_dav_locks_notify', davLocksNotify],
  ['20261203010000_tasks', tasks],
  ['20261203110000_account_security', accountSecurity],
  ['20261205010000_change_log', changeLog],
  ['20261206010000_shares', shares],
  ['20261206020000_openlist_ui', openlistUi],
  ['20261207010000_search_index', searchIndex],
] as const);

export function buildMigrations(engine: Engine): Record<string, Migration> {
  return Object.fromEntries(MIGRATIONS.map(([name, factory]) => [name, factory(engine)]));
}
