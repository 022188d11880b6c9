import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

/**
 * Account security counters on users: `session_epoch` (login JWTs carry it; bumping it ends every
 * session of the user) and `otp_last_step` (the last accepted TOTP time step, so a code is used
 * once). Plain integer columns with defaults: the same statements on SQLite and PostgreSQL.
 */
export function accountSecurity(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('session_epoch', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('users').addColumn('otp_last_step', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').dropColumn('otp_last_step').execute();
      await db.schema.alterTable('users').dropColumn('session_epoch').execute();
    },
  };
}
