import type { Selectable, Updateable } from 'kysely';
import { sql } from '../kysely.js';
import type { Db } from '../client.js';
import { mapConstraintErrors } from '../errors.js';
import type { UsersTable } from '../schema.js';
import { bool, flag, num, pageWindow, pickDefined, touched, type Page, type PageOptions } from './mapping.js';

/** AList user roles. */
export { UserRole, type UserRoleValue } from '../../wire/users.js';

export interface UserRecord {
  id: number;
  username: string;
  /** argon2id of AList's static sha256 hash (computed by auth/, stored as is). */
  passwordHash: string;
  /** Seconds; bumped when the password changes so older login tokens stop working. */
  pwdTs: number;
  basePath: string;
  /** 0 general, 1 guest, 2 admin (see UserRole). */
  role: number;
  disabled: boolean;
  /** AList permission bitmask. */
  permission: number;
  otpSecret: string;
  ssoId: string;
}

export interface UserInput {
  username: string;
  passwordHash: string;
  pwdTs?: number;
  basePath?: string;
  role?: number;
  disabled?: boolean;
  permission?: number;
  otpSecret?: string;
  ssoId?: string;
}

export type UserPatch = Partial<UserInput>;

/** A user with the counters only authentication reads (kept out of UserRecord and every list). */
export interface UserAccount extends UserRecord {
  /** Login JWTs carry it; bumping it ends every session of the user. */
  sessionEpoch: number;
  /** The last accepted TOTP time step: a code for it or an earlier one is refused (single use). */
  otpLastStep: number;
}

/**
 * Seals secrets at rest (the SecretBox of auth/secrets.ts fits): the TOTP secret is stored
 * sealed and opened on read; values stored plain before sealing existed open as they are.
 */
export interface SecretSealer {
  seal(plain: string): string;
  open(value: string): string;
}

const PLAIN: SecretSealer = { seal: (v) => v, open: (v) => v };

/**
 * A secret sealed with another key (or altered) stays as stored: 2FA stays on and no code matches
 * it (fail closed), while the user still lists and an administrator can clear it.
 */
function openSecret(stored: string, sealer: SecretSealer): string {
  if (stored === '') return '';
  try {
    return sealer.open(stored);
  } catch {
    return stored;
  }
}

function toRecord(row: Selectable<UsersTable>, sealer: SecretSealer): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    pwdTs: row.pwd_ts,
    basePath: row.base_path,
    role: row.role,
    disabled: bool(row.disabled),
    permission: row.permission,
    otpSecret: openSecret(row.otp_secret, sealer),
    ssoId: row.sso_id,
  };
}

function toAccount(row: Selectable<UsersTable>, sealer: SecretSealer): UserAccount {
  return { ...toRecord(row, sealer), sessionEpoch: num(row.session_epoch), otpLastStep: num(row.otp_last_step) };
}

function toColumns(patch: UserPatch, sealer: SecretSealer): Updateable<UsersTable> {
  return pickDefined<UserPatch, Updateable<UsersTable>>(patch, {
    username: (v) => ({ username: v }),
    passwordHash: (v) => ({ password_hash: v }),
    pwdTs: (v) => ({ pwd_ts: v }),
    basePath: (v) => ({ base_path: v }),
    role: (v) => ({ role: v }),
    disabled: (v) => ({ disabled: flag(v) }),
    permission: (v) => ({ permission: v }),
    otpSecret: (v) => ({ otp_secret: v === '' ? '' : sealer.seal(v) }),
    ssoId: (v) => ({ sso_id: v }),
  });
}

export class UserRepository {
  private readonly sealer: SecretSealer;

  /** Without a sealer, TOTP secrets are stored as given (tests of the repository alone). */
  constructor(private readonly db: Db, sealer?: SecretSealer) {
    this.sealer = sealer ?? PLAIN;
  }

  /** Returns the new id. Throws ConflictError when the username is taken. */
  async create(input: UserInput): Promise<number> {
    const row = await mapConstraintErrors(
      () =>
        this.db
          .insertInto('users')
          .values({ ...toColumns(input, this.sealer), username: input.username })
          .returning('id')
          .executeTakeFirstOrThrow(),
      { conflict: `user "${input.username}" already exists` },
    );
    return row.id;
  }

  async get(id: number): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row, this.sealer);
  }

  /** The user with its session epoch and last TOTP step, for authentication. */
  async getAccount(id: number): Promise<UserAccount | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toAccount(row, this.sealer);
  }

  async getAccountByUsername(username: string): Promise<UserAccount | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row === undefined ? undefined : toAccount(row, this.sealer);
  }

  async getByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row, this.sealer);
  }

  /** Ordered by id. Without options, every user on one page. */
  async list(options?: PageOptions): Promise<Page<UserRecord>> {
    let query = this.db.selectFrom('users').selectAll().orderBy('id');
    if (options !== undefined) {
      const { limit, offset } = pageWindow(options);
      query = query.limit(limit).offset(offset);
    }
    const [rows, total] = await Promise.all([query.execute(), this.count()]);
    return { items: rows.map((r) => toRecord(r, this.sealer)), total };
  }

  /** Returns false when no such id. Throws ConflictError when renaming to a taken username. */
  async update(id: number, patch: UserPatch): Promise<boolean> {
    const columns = toColumns(patch, this.sealer);
    if (Object.keys(columns).length === 0) return (await this.get(id)) !== undefined;
    const result = await mapConstraintErrors(
      () => this.db.updateTable('users').set(columns).where('id', '=', id).executeTakeFirst(),
      { conflict: `user "${patch.username ?? ''}" already exists` },
    );
    return touched(result);
  }

  /**
   * Applies `patch` (a new password, usually) and, in the same transaction, ends every session of
   * the user (the session epoch moves on) and revokes every active API token at `at`. Returns
   * false as `updated` when no such id; ConflictError when renaming to a taken username.
   */
  async updateRevokingAccess(id: number, patch: UserPatch, at: Date): Promise<{ updated: boolean; revokedTokens: number }> {
    const columns = toColumns(patch, this.sealer);
    return mapConstraintErrors(
      () =>
        this.db.transaction().execute(async (trx) => {
          const result = await trx
            .updateTable('users')
            .set({ ...columns, session_epoch: (eb) => eb('session_epoch', '+', 1) })
            .where('id', '=', id)
            .executeTakeFirst();
          if (!touched(result)) return { updated: false, revokedTokens: 0 };
          const revoked = await trx
            .updateTable('api_tokens')
            .set({ revoked_at: at.toISOString() })
            .where('user_id', '=', id)
            .where('revoked_at', 'is', null)
            .executeTakeFirst();
          return { updated: true, revokedTokens: Number(revoked.numUpdatedRows) };
        }),
      { conflict: `user "${patch.username ?? ''}" already exists` },
    );
  }

  /** Ends every login session of the user ("log out everywhere"); false when no such id. */
  async bumpSessionEpoch(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ session_epoch: (eb) => eb('session_epoch', '+', 1) })
      .where('id', '=', id)
      .executeTakeFirst();
    return touched(result);
  }

  /**
   * Records a TOTP time step as used, only if it is later than the last one used: one atomic
   * update, so two requests racing with the same code cannot both win. True when accepted.
   */
  async consumeOtpStep(id: number, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ otp_last_step: step })
      .where('id', '=', id)
      .where('otp_last_step', '<', step)
      .executeTakeFirst();
    return touched(result);
  }

  /**
   * Sets (or with '' clears) the TOTP secret. `usedStep`, the step of the code that proved the new
   * secret, becomes the last used step (never moving it back), so that code cannot be replayed.
   */
  async setOtpSecret(id: number, secret: string, usedStep = 0): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({
        otp_secret: secret === '' ? '' : this.sealer.seal(secret),
        // CASE rather than max()/GREATEST(): the same SQL on SQLite and PostgreSQL.
        otp_last_step: sql<number>`CASE WHEN otp_last_step < CAST(${usedStep} AS integer) THEN CAST(${usedStep} AS integer) ELSE otp_last_step END`,
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return touched(result);
  }

  /** Also removes the user's API tokens and revoked sessions (ON DELETE CASCADE). */
  async remove(id: number): Promise<boolean> {
    return touched(await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst());
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return num(row.n);
  }
}
