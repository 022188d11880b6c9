import { createHash, timingSafeEqual } from 'node:crypto';
import type { Repositories, UserPatch, UserRecord } from '../db/repositories/index.js';
import type { UserAccount, UserRepository } from '../db/repositories/users.js';
import { AuditLog } from './audit.js';
import { UserRole } from '../db/repositories/index.js';
import type { SettingsService } from '../settings/settings-service.js';
import { hashApiToken, looksLikeApiToken } from './api-tokens.js';
import { AuthError, AuthMessages } from './errors.js';
import { JwtIssuer } from './jwt.js';
import { LoginLockout } from './lockout.js';
import { hashPassword, verifyPassword, verifyStatic } from './passwords.js';
import type { Principal } from './principal.js';
import { totpStep } from './totp.js';

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

/** What a request that changes the caller's own account must carry besides its login session. */
export interface AccountProof {
  /** The account's current password (plain). */
  currentPassword: string;
  /** The current TOTP code, when 2FA is on. */
  otpCode: string;
  ip: string;
}

export const userLockedMessage = (username: string) =>
  `Too many failed sign-ins for user "${username}" from any address; this user is locked for up to 15 minutes. Try again later.`;

/** Refusals of account changes and sessions, worded for the person who meets them. */
export const AccountMessages = {
  sessionRequired:
    'Changing the account (password, name, 2FA) needs a login session: sign in with your password. API tokens and the admin token cannot change an account.',
  currentPasswordRequired: 'current_password: is required; enter your current password to change your account',
  currentPasswordWrong: 'current_password: the current password is incorrect',
  otpRequired: 'otp_code: is required; 2FA is on, enter the current code from your authenticator app',
  sessionEnded: 'Your sessions were ended (password change or sign-out everywhere), login please',
  davNeedsToken: (username: string) =>
    `User "${username}" has two-factor authentication on, which WebDAV cannot ask for: use an API token (Profile → API tokens) as the WebDAV password instead.`,
} as const;

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

/**
 * Sets a new password (with the rest of `patch`, in one transaction) and revokes what the old one
 * let out: every login session (the session epoch moves on) and every active API token. For the
 * API, the admin routes and the CLI alike.
 */
export async function changePassword(
  users: UserRepository,
  id: number,
  password: string,
  options: { patch?: UserPatch; now?: number } = {},
): Promise<{ updated: boolean; revokedTokens: number }> {
  const now = options.now ?? Date.now();
  const patch: UserPatch = { ...options.patch, passwordHash: await hashPassword(password), pwdTs: Math.floor(now / 1000) };
  return users.updateRevokingAccess(id, patch, new Date(now));
}

/** Logins, and turning an Authorization header or Basic credentials into a Principal. */
export class AuthService {
  private readonly jwt: JwtIssuer;
  private readonly now: () => number;
  /** Sign-in failures per (address, user), per user and per address. */
  readonly lockout = new LoginLockout();
  readonly audit: AuditLog;

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.jwt = new JwtIssuer(deps.jwtSecret, deps.tokenLifetimeHours, this.now);
    this.audit = new AuditLog(deps.repos.audit);
  }

  async login(input: LoginInput): Promise<{ token: string; expiresAt: Date; user: UserRecord }> {
    const user = await this.checkCredentials(input);
    const via = input.via ?? 'api';
    if (user.otpSecret && !(input.otpCode && (await this.acceptTotp(user, input.otpCode)))) {
      this.lockout.fail(input.ip, input.username);
      await this.audit.record({ userId: user.id, username: user.username, ip: input.ip, action: 'login.failed', detail: { reason: '2fa', via } });
      throw new AuthError(402, AuthMessages.bad2fa);
    }
    this.lockout.succeeded(input.ip, input.username);
    await this.audit.record({ userId: user.id, username: user.username, ip: input.ip, action: 'login', detail: { via } });
    const { token, expiresAt } = await this.jwt.issue(user);
    return { token, expiresAt, user };
  }

  /** Refuses a sign-in over any lockout limit (429). */
  private checkLockout(ip: string, username: string): void {
    const lock = this.lockout.locked(ip, username);
    if (lock === 'user') throw new AuthError(429, userLockedMessage(username));
    if (lock) throw new AuthError(429, AuthMessages.tooMany);
  }

  /**
   * Verifies a user name and password (plain or AList-hashed) under the lockout. For WebDAV (which
   * cannot ask for a code) the password of a user with 2FA on is refused: an API token is the way.
   */
  async checkCredentials(input: LoginInput): Promise<UserAccount> {
    this.checkLockout(input.ip, input.username);
    const via = input.via ?? 'api';
    const user = await this.deps.repos.users.getAccountByUsername(input.username);
    const ok =
      user !== undefined &&
      user.role !== UserRole.Guest &&
      (input.hashed ? await verifyStatic(user.passwordHash, input.password) : await verifyPassword(user.passwordHash, input.password));
    if (!ok || !user) {
      this.lockout.fail(input.ip, input.username);
      await this.audit.record({ userId: user?.id ?? null, username: input.username, ip: input.ip, action: 'login.failed', detail: { reason: 'credentials', via } });
      throw new AuthError(400, AuthMessages.badCredentials);
    }
    if (user.disabled) throw new AuthError(403, AuthMessages.userDisabled);
    if (via === 'webdav') {
      if (user.otpSecret) {
        await this.audit.record({ userId: user.id, username: user.username, ip: input.ip, action: 'login.failed', detail: { reason: '2fa_needs_token', via } });
        throw new AuthError(401, AccountMessages.davNeedsToken(user.username));
      }
      this.lockout.succeeded(input.ip, input.username);
      await this.audit.record({ userId: user.id, username: user.username, ip: input.ip, action: 'login', detail: { via } });
    }
    return user;
  }

  /**
   * The check before a change to the caller's own account: a login session (never an API token
   * or the admin token), the current password, and the current TOTP code (used up) when 2FA is on.
   * Wrong passwords and codes count towards the sign-in lockout. Returns the account as it is now.
   */
  async confirmAccountChange(p: Principal, proof: AccountProof): Promise<UserAccount> {
    if (p.kind !== 'login' || p.jti === undefined) throw new AuthError(403, AccountMessages.sessionRequired);
    this.checkLockout(proof.ip, p.user.username);
    if (proof.currentPassword === '') throw new AuthError(400, AccountMessages.currentPasswordRequired);
    const user = await this.deps.repos.users.getAccount(p.user.id);
    if (!user) throw new AuthError(401, AuthMessages.userMissing);
    const refuse = async (reason: string, code: 402 | 403, message: string): Promise<never> => {
      this.lockout.fail(proof.ip, user.username);
      await this.audit.record({ userId: user.id, username: user.username, ip: proof.ip, action: 'account.confirm_failed', detail: { reason } });
      throw new AuthError(code, message);
    };
    if (!(await verifyPassword(user.passwordHash, proof.currentPassword))) await refuse('password', 403, AccountMessages.currentPasswordWrong);
    if (user.otpSecret) {
      if (proof.otpCode.trim() === '') throw new AuthError(402, AccountMessages.otpRequired);
      if (!(await this.acceptTotp(user, proof.otpCode))) await refuse('2fa', 402, AuthMessages.bad2fa);
    }
    this.lockout.succeeded(proof.ip, user.username);
    return user;
  }

  /** Sets a new password for a user, ending their sessions and revoking their API tokens. */
  changePassword(id: number, password: string, patch?: UserPatch): Promise<{ updated: boolean; revokedTokens: number }> {
    return changePassword(this.deps.repos.users, id, password, { patch, now: this.now() });
  }

  /** The time step of a right code for a secret (by this service's clock), or undefined. */
  totpStepFor(secret: string, code: string): number | undefined {
    return totpStep(secret, code, this.now());
  }

  /** A right code whose time step is later than the last one accepted for this user; uses it up. */
  private async acceptTotp(user: UserRecord, code: string): Promise<boolean> {
    const step = totpStep(user.otpSecret, code, this.now());
    return step !== undefined && (await this.deps.repos.users.consumeOtpStep(user.id, step));
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

  /**
   * Ends every login session of the user, this one too ("log out everywhere"); API tokens stay
   * (they are revoked one by one, or all with a password change). Only a login session may ask.
   */
  async logoutEverywhere(p: Principal): Promise<void> {
    if (p.kind !== 'login') throw new AuthError(403, 'logging out everywhere needs a login session, not a token');
    await this.deps.repos.users.bumpSessionEpoch(p.user.id);
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

  /** Login JWTs name the user by id, so a user deleted and created again under the name is not let in. */
  private async loginToken(raw: string): Promise<Principal> {
    const claims = await this.jwt.verify(raw);
    if (await this.deps.repos.revokedSessions.isRevoked(claims.jti)) throw new AuthError(401, AuthMessages.invalidated);
    const user = await this.deps.repos.users.getAccount(claims.uid);
    if (!user) throw new AuthError(401, AuthMessages.userMissing);
    if (user.pwdTs !== claims.pwd_ts) throw new AuthError(401, AuthMessages.passwordChanged);
    if (user.sessionEpoch !== claims.se) throw new AuthError(401, AccountMessages.sessionEnded);
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
