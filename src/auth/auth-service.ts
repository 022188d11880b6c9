import { createHash, timingSafeEqual } from 'node:crypto';
import type { Repositories, UserRecord } from '../db/repositories/index.js';
import { AuditLog } from './audit.js';
import { UserRole } from '../db/repositories/index.js';
import type { SettingsService } from '../settings/settings-service.js';
import { hashApiToken, looksLikeApiToken } from './api-tokens.js';
import { AuthError, AuthMessages } from './errors.js';
import { JwtIssuer } from './jwt.js';
import { Lockout } from './lockout.js';
import { verifyPassword, verifyStatic } from './passwords.js';
import type { Principal } from './principal.js';
import { verifyTotp } from './totp.js';

export interface LoginInput {
  username: string;
  /** The plain password, or with `hashed` the AList static sha256 hash. */
  password: string;
  hashed?: boolean;
  otpCode?: string;
  ip: string;
  /** Which front door asked, for the audit log (default api). */
  via?: 'api' | 'webdav';
}

/** Per user name, from any address: 10 failures in 15 minutes lock the name for the rest of the window. */
export const USER_LOCKOUT = { maxFailures: 10, windowMs: 15 * 60_000 };
export const userLockedMessage = (username: string) =>
  `Too many failed sign-ins for user "${username}" from any address; this user is locked for up to 15 minutes. Try again later.`;

export interface AuthServiceDeps {
  repos: Repositories;
  settings: SettingsService;
  jwtSecret: string;
  tokenLifetimeHours: number;
  /** The clock every expiry is judged by (injectable so tests can move time). */
  now?: () => number;
}

/** Constant-time comparison; hashing first hides the length too. */
function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Logins, and turning an Authorization header or Basic credentials into a Principal. */
export class AuthService {
  private readonly jwt: JwtIssuer;
  private readonly now: () => number;
  readonly lockout = new Lockout();
  /** Failures per user name (lower-cased), whatever the address. */
  readonly userLockout = new Lockout(USER_LOCKOUT);
  readonly audit: AuditLog;

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.jwt = new JwtIssuer(deps.jwtSecret, deps.tokenLifetimeHours, this.now);
    this.audit = new AuditLog(deps.repos.audit);
  }

  async login(input: LoginInput): Promise<{ token: string; expiresAt: Date; user: UserRecord }> {
    const user = await this.checkCredentials(input);
    if (user.otpSecret) {
      if (!input.otpCode || !verifyTotp(user.otpSecret, input.otpCode)) {
        this.lockout.fail(input.ip);
        this.userLockout.fail(input.username.toLowerCase());
        await this.audit.record({ userId: user.id, username: user.username, ip: input.ip, action: 'login.failed', detail: { reason: '2fa', via: input.via ?? 'api' } });
        throw new AuthError(402, AuthMessages.bad2fa);
      }
    }
    this.lockout.reset(input.ip);
    this.userLockout.reset(input.username.toLowerCase());
    await this.audit.record({ userId: user.id, username: user.username, ip: input.ip, action: 'login', detail: { via: input.via ?? 'api' } });
    const { token, expiresAt } = await this.jwt.issue(user.username, user.pwdTs);
    return { token, expiresAt, user };
  }

  /** Verifies a user name and password (plain or AList-hashed) with per-address lockout. */
  async checkCredentials(input: LoginInput): Promise<UserRecord> {
    if (this.lockout.locked(input.ip)) throw new AuthError(429, AuthMessages.tooMany);
    const name = input.username.toLowerCase();
    if (this.userLockout.locked(name)) throw new AuthError(429, userLockedMessage(input.username));
    const user = await this.deps.repos.users.getByUsername(input.username);
    const ok =
      user !== undefined &&
      user.role !== UserRole.Guest &&
      (input.hashed ? await verifyStatic(user.passwordHash, input.password) : await verifyPassword(user.passwordHash, input.password));
    if (!ok || !user) {
      this.lockout.fail(input.ip);
      this.userLockout.fail(name);
      await this.audit.record({ userId: user?.id ?? null, username: input.username, ip: input.ip, action: 'login.failed', detail: { reason: 'credentials', via: input.via ?? 'api' } });
      throw new AuthError(400, AuthMessages.badCredentials);
    }
    if (user.disabled) throw new AuthError(403, AuthMessages.userDisabled);
    if (input.via === 'webdav') {
      this.userLockout.reset(name);
      await this.audit.record({ userId: user.id, username: user.username, ip: input.ip, action: 'login', detail: { via: 'webdav' } });
    }
    return user;
  }

  /** The raw `Authorization` header as AList clients send it; `Bearer <token>` too; empty means guest. */
  async authenticate(header: string | undefined, ip: string): Promise<Principal> {
    let raw = (header ?? '').trim();
    if (/^bearer\s+/i.test(raw)) raw = raw.replace(/^bearer\s+/i, '');
    if (raw === '') return this.guest();
    const adminToken = this.deps.settings.get('token');
    if (adminToken && safeEqual(raw, adminToken)) return { user: await this.admin(), kind: 'admin_token' };
    if (looksLikeApiToken(raw)) return this.apiToken(raw, ip);
    return this.loginToken(raw);
  }

  async logout(p: Principal): Promise<void> {
    if (p.kind === 'login' && p.jti && p.expiresAt) await this.deps.repos.revokedSessions.add(p.jti, p.user.id, p.expiresAt);
  }

  async guest(): Promise<Principal> {
    const user = await this.deps.repos.users.getByUsername('guest');
    if (!user || user.disabled) throw new AuthError(401, AuthMessages.guestDisabled);
    return { user, kind: 'guest' };
  }

  private async admin(): Promise<UserRecord> {
    const user = await this.deps.repos.users.getByUsername('admin');
    if (!user) throw new AuthError(401, AuthMessages.userMissing);
    return user;
  }

  private async loginToken(raw: string): Promise<Principal> {
    const claims = await this.jwt.verify(raw);
    if (await this.deps.repos.revokedSessions.isRevoked(claims.jti)) throw new AuthError(401, AuthMessages.invalidated);
    const user = await this.deps.repos.users.getByUsername(claims.username);
    if (!user) throw new AuthError(401, AuthMessages.userMissing);
    if (user.pwdTs !== claims.pwd_ts) throw new AuthError(401, AuthMessages.passwordChanged);
    if (user.disabled) throw new AuthError(401, AuthMessages.userDisabled);
    return { user, kind: 'login', jti: claims.jti, expiresAt: new Date(claims.exp * 1000) };
  }

  /** API tokens are checked against the database on every request: one source of truth. */
  private async apiToken(raw: string, ip: string): Promise<Principal> {
    const { tokens, users } = this.deps.repos;
    const record = await tokens.findByHash(hashApiToken(raw));
    if (!record) throw new AuthError(401, AuthMessages.tokenUnknown);
    if (record.revokedAt) throw new AuthError(401, `${AuthMessages.tokenRevoked} (at ${record.revokedAt.toISOString()})`);
    if (record.expiresAt && record.expiresAt.getTime() <= this.now()) {
      throw new AuthError(401, `${AuthMessages.tokenExpired} (at ${record.expiresAt.toISOString()})`);
    }
    const user = await users.get(record.userId);
    if (!user) throw new AuthError(401, AuthMessages.userMissing);
    if (user.disabled) throw new AuthError(401, AuthMessages.userDisabled);
    // Last use is recorded at most once a minute per token (or when the address changes).
    const now = this.now();
    if (!record.lastUsedAt || now - record.lastUsedAt.getTime() > 60_000 || record.lastUsedIp !== ip) {
      await tokens.touch(record.id, new Date(now), ip);
    }
    return { user, kind: 'api_token', scope: record.scope, pathPrefix: record.pathPrefix, tokenId: record.id, expiresAt: record.expiresAt ?? undefined };
  }
}
