import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

/** OpenList's `hide_files`: a text of regular expressions, one a line. */
const HIDE_FILES = '/\\/README.md/i';
/** OpenList's admin bits: 0-8 (see hidden ... WebDAV read), 12-14 (archives, shares). */
const ADMIN_PERMISSION = 0x71ff;

/**
 * What OpenList's web UI reads: `hide_files` was stored as a bool (`false`, never read) and becomes
 * OpenList's text setting with its default; administrators stored with no permission bit get
 * OpenList's admin bits (its UI decides by bits even for administrators; the gate here still lets
 * administrators do everything).
 */
export function openlistUi(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.updateTable('settings').set({ type: 'text', value: HIDE_FILES }).where('key', '=', 'hide_files').where('type', '=', 'bool').execute();
      await db.updateTable('users').set({ permission: ADMIN_PERMISSION }).where('role', '=', 2).where('permission', '=', 0).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.updateTable('users').set({ permission: 0 }).where('role', '=', 2).where('permission', '=', ADMIN_PERMISSION).execute();
      await db.updateTable('settings').set({ type: 'bool', value: 'false' }).where('key', '=', 'hide_files').where('value', '=', HIDE_FILES).execute();
    },
  };
}
