import type { ApiTokenRecord, Repositories, TokenScope, UserRecord } from '../db/repositories/index.js';
import { UserRole } from '../db/repositories/index.js';
import { normalizePath } from '../core/paths.js';
import { newApiToken } from './api-tokens.js';
import { AuthError } from './errors.js';

export interface CreateTokenInput {
  owner: UserRecord;
  name: string;
  scope: TokenScope;
  /** Absolute expiry, or days from now; neither means it never expires. */
  expiresAt?: Date | null;
  expiresInDays?: number;
  pathPrefix?: string;
}

/** The scopes an owner may hand out: never more than the owner has. */
export function allowedScopes(owner: UserRecord): TokenScope[] {
  return owner.role === UserRole.Admin ? ['read', 'write', 'admin'] : ['read', 'write'];
}

/** What lists show of a token: never the secret, always the expiry. */
export function tokenView(t: ApiTokenRecord & { username?: string }) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scope: t.scope,
    path_prefix: t.pathPrefix,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt?.toISOString() ?? null,
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    last_used_ip: t.lastUsedIp,
    revoked_at: t.revokedAt?.toISOString() ?? null,
    user_id: t.userId,
    ...(t.username !== undefined ? { username: t.username } : {}),
  };
}

/** Personal API tokens: created once (the secret is shown only then), stored hashed, revoked at once. */
export class ApiTokenService {
  constructor(private readonly repos: Repositories, private readonly now: () => number = Date.now) {}

  async create(input: CreateTokenInput): Promise<{ token: string; record: ApiTokenRecord }> {
    if (input.owner.role === UserRole.Guest) throw new AuthError(403, 'the guest account cannot own API tokens');
    if (!allowedScopes(input.owner).includes(input.scope)) throw new AuthError(403, `scope "${input.scope}" is more than ${input.owner.username} has`);
    const now = this.now();
    let expiresAt = input.expiresAt ?? null;
    if (input.expiresInDays !== undefined) expiresAt = new Date(now + input.expiresInDays * 86_400_000);
    if (expiresAt && expiresAt.getTime() <= now) throw new AuthError(400, 'expires_at must be in the future');
    const { token, hash, prefix } = newApiToken();
    const id = await this.repos.tokens.create({
      userId: input.owner.id,
      name: input.name,
      tokenHash: hash,
      prefix,
      scope: input.scope,
      pathPrefix: normalizePath(input.pathPrefix ?? '/'),
      expiresAt,
      createdAt: new Date(now),
    });
    const record = await this.repos.tokens.get(id);
    if (!record) throw new Error('token vanished after creation');
    return { token, record };
  }

  listFor(userId: number): Promise<ApiTokenRecord[]> {
    return this.repos.tokens.listByUser(userId);
  }

  listAll() {
    return this.repos.tokens.listAll();
  }

  /** Revokes a token; with `ownerId`, only that user's token. */
  async revoke(id: number, ownerId?: number): Promise<void> {
    if (!(await this.repos.tokens.revoke(id, ownerId, new Date(this.now())))) throw new AuthError(400, `no active token with id ${id}`);
  }
}
