import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../client.js';
import { mapConstraintErrors } from '../errors.js';
import type { UsersTable } from '../schema.js';
import { bool, flag, num, pageWindow, pickDefined, touched, type Page, type PageOptions } from './mapping.js';

/** AList user roles. */
export const UserRole = Object.freeze({ General: 0, Guest: 1, Admin: 2 } as const);
export type UserRoleValue = (typeof UserRole)[keyof typeof UserRole];

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

function toRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    pwdTs: row.pwd_ts,
    basePath: row.base_path,
    role: row.role,
    disabled: bool(row.disabled),
    permission: row.permission,
    otpSecret: row.otp_secret,
    ssoId: row.sso_id,
  };
}

function toColumns(patch: UserPatch): Updateable<UsersTable> {
  return pickDefined<UserPatch, Updateable<UsersTable>>(patch, {
    username: (v) => ({ username: v }),
    passwordHash: (v) => ({ password_hash: v }),
    pwdTs: (v) => ({ pwd_ts: v }),
    basePath: (v) => ({ base_path: v }),
    role: (v) => ({ role: v }),
    disabled: (v) => ({ disabled: flag(v) }),
    permission: (v) => ({ permission: v }),
    otpSecret: (v) => ({ otp_secret: v }),
    ssoId: (v) => ({ sso_id: v }),
  });
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  /** Returns the new id. Throws ConflictError when the username is taken. */
  async create(input: UserInput): Promise<number> {
    const row = await mapConstraintErrors(
      () =>
        this.db
          .insertInto('users')
          .values({ ...toColumns(input), username: input.username })
          .returning('id')
          .executeTakeFirstOrThrow(),
      { conflict: `user "${input.username}" already exists` },
    );
    return row.id;
  }

  async get(id: number): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Ordered by id. Without options, every user on one page. */
  async list(options?: PageOptions): Promise<Page<UserRecord>> {
    let query = this.db.selectFrom('users').selectAll().orderBy('id');
    if (options !== undefined) {
      const { limit, offset } = pageWindow(options);
      query = query.limit(limit).offset(offset);
    }
    const [rows, total] = await Promise.all([query.execute(), this.count()]);
    return { items: rows.map(toRecord), total };
  }

  /** Returns false when no such id. Throws ConflictError when renaming to a taken username. */
  async update(id: number, patch: UserPatch): Promise<boolean> {
    const columns = toColumns(patch);
    if (Object.keys(columns).length === 0) return (await this.get(id)) !== undefined;
    const result = await mapConstraintErrors(
      () => this.db.updateTable('users').set(columns).where('id', '=', id).executeTakeFirst(),
      { conflict: `user "${patch.username ?? ''}" already exists` },
    );
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
