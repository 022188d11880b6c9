import type { Selectable } from 'kysely';
import type { Db } from '../client.js';
import { mapConstraintErrors } from '../errors.js';
import type { ApiTokensTable } from '../schema.js';
import { isoDate, optionalIso, parseDate, parseOptionalDate, touched } from './mapping.js';

export type TokenScope = 'read' | 'write' | 'admin';

export interface ApiTokenRecord {
  id: number;
  userId: number;
  name: string;
  /** Hash of the secret; the secret itself is never stored. */
  tokenHash: string;
  /** First characters of the token, shown in lists. */
  prefix: string;
  scope: TokenScope;
  pathPrefix: string;
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
}

export interface ApiTokenWithUser extends ApiTokenRecord {
  username: string;
}

export interface ApiTokenInput {
  userId: number;
  name: string;
  tokenHash: string;
  prefix: string;
  scope: TokenScope;
  pathPrefix?: string;
  expiresAt?: Date | null;
  /** Defaults to now. */
  createdAt?: Date;
}

function toScope(value: string): TokenScope {
  return value === 'admin' || value === 'write' ? value : 'read';
}

function toRecord(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    tokenHash: row.token_hash,
    prefix: row.prefix,
    scope: toScope(row.scope),
    pathPrefix: row.path_prefix,
    expiresAt: parseOptionalDate(row.expires_at),
    createdAt: parseDate(row.created_at),
    lastUsedAt: parseOptionalDate(row.last_used_at),
    lastUsedIp: row.last_used_ip,
    revokedAt: parseOptionalDate(row.revoked_at),
  };
}

export class TokenRepository {
  constructor(private readonly db: Db) {}

  /** Returns the new id. ConflictError on a duplicate hash, InvalidReferenceError for a missing user. */
  async create(input: ApiTokenInput): Promise<number> {
    const values = {
      user_id: input.userId,
      name: input.name,
      token_hash: input.tokenHash,
      prefix: input.prefix,
      scope: input.scope,
      path_prefix: input.pathPrefix ?? '/',
      expires_at: optionalIso(input.expiresAt),
      created_at: isoDate(input.createdAt ?? new Date()),
    };
    const row = await mapConstraintErrors(
      () => this.db.insertInto('api_tokens').values(values).returning('id').executeTakeFirstOrThrow(),
      { conflict: 'a token with this hash already exists', reference: `user ${input.userId} does not exist` },
    );
    return row.id;
  }

  async get(id: number): Promise<ApiTokenRecord | undefined> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Also returns revoked and expired tokens: the caller checks revokedAt and expiresAt. */
  async findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Ordered by id, revoked ones included. */
  async listByUser(userId: number): Promise<ApiTokenRecord[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  /** Every token with its owner's username, ordered by id. */
  async listAll(): Promise<ApiTokenWithUser[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select('users.username')
      .orderBy('api_tokens.id')
      .execute();
    return rows.map((row) => ({ ...toRecord(row), username: row.username }));
  }

  /**
   * Marks the token revoked. With `userId`, only if it belongs to that user. Returns false
   * when no such token (for that user) or when it was already revoked.
   */
  async revoke(id: number, userId?: number, at: Date = new Date()): Promise<boolean> {
    let query = this.db
      .updateTable('api_tokens')
      .set({ revoked_at: isoDate(at) })
      .where('id', '=', id)
      .where('revoked_at', 'is', null);
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    return touched(await query.executeTakeFirst());
  }

  /** Records a use of the token. */
  async touch(id: number, at: Date, ip: string | null): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: isoDate(at), last_used_ip: ip })
      .where('id', '=', id)
      .execute();
  }
}

/** Login JWTs that were logged out before they expired. */
export class RevokedSessionRepository {
  constructor(private readonly db: Db) {}

  /** Idempotent. InvalidReferenceError when the user does not exist. */
  async add(jti: string, userId: number, expiresAt: Date): Promise<void> {
    await mapConstraintErrors(
      () =>
        this.db
          .insertInto('revoked_sessions')
          .values({ jti, user_id: userId, expires_at: isoDate(expiresAt) })
          .onConflict((oc) => oc.column('jti').doNothing())
          .execute(),
      { conflict: `session ${jti} already revoked`, reference: `user ${userId} does not exist` },
    );
  }

  async isRevoked(jti: string): Promise<boolean> {
    const row = await this.db.selectFrom('revoked_sessions').select('jti').where('jti', '=', jti).executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes entries whose JWT has expired by `now`; returns how many. */
  async pruneExpired(now: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('revoked_sessions')
      .where('expires_at', '<=', isoDate(now))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
