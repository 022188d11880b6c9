import { hash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { looksLikeApiToken } from '../../auth/api-tokens.js';
import { userLockedMessage } from '../../auth/auth-service.js';
import { AuthError, AuthMessages } from '../../auth/errors.js';
import type { Principal } from '../../auth/principal.js';
import type { AppDeps } from '../deps.js';
import { DavError, unauthorized } from './errors.js';

export interface Authenticated {
  principal: Principal;
  password: string | undefined;
}

/** A verified password: still good while the user's password stamp and session epoch stand. */
interface Remembered {
  userId: number;
  pwdTs: number;
  sessionEpoch: number;
}

interface BasicCredentials {
  value: string;
  username: string;
  password: string;
  /** Key of the verified-credentials cache: a hash, so the cache holds no passwords. */
  key: string;
}

/**
 * WebDAV authentication: Basic (user + password, or any user + an API token as the password),
 * Bearer (API token, admin token or login token), or the guest when no credentials are sent.
 * Verified passwords are remembered for a few minutes (keyed by a hash of the credentials), so a
 * client's thousand PUTs cost one argon2 check; the user row itself is read on every request (one
 * primary-key lookup, like the API's), so a disabled user, a changed permission or base path, a
 * password change or 2FA turned on takes effect on the very next request, on every instance.
 */
export class DavAuth {
  private readonly verified = new LRUCache<string, Remembered>({ max: 1000, ttl: 5 * 60_000 });

  constructor(private readonly deps: AppDeps) {}

  async authenticate(req: FastifyRequest): Promise<Authenticated> {
    const header = req.headers.authorization?.trim() ?? '';
    try {
      if (header === '') return { principal: await this.guest(), password: undefined };
      const space = header.indexOf(' ');
      const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
      const value = space < 0 ? '' : header.slice(space + 1).trim();
      if (scheme === 'basic') return await this.basic(value, req.ip, req.raw.socket);
      if (scheme === 'bearer' && value !== '') return { principal: await this.deps.auth.authenticate(value, req.ip), password: undefined };
      throw unauthorized('unsupported authorization scheme');
    } catch (err) {
      if (err instanceof AuthError && (err.code === 400 || err.code === 401)) throw unauthorized(err.message);
      throw err;
    }
  }

  private async guest(): Promise<Principal> {
    let p: Principal;
    try {
      p = await this.deps.auth.guest();
    } catch {
      throw unauthorized();
    }
    if (!this.deps.gate.admits(p, 'webdav')) throw unauthorized();
    return p;
  }

  /** The Basic credentials last read on each connection: a client sends the same header every time. */
  private readonly lastOnSocket = new WeakMap<object, BasicCredentials>();

  private credentials(value: string, socket: object): BasicCredentials {
    const last = this.lastOnSocket.get(socket);
    if (last?.value === value) return last;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized('malformed Basic credentials');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const read = { value, username, password, key: hash('sha256', `${username}\0${password}`, 'base64') };
    this.lastOnSocket.set(socket, read);
    return read;
  }

  private async basic(value: string, ip: string, socket: object): Promise<Authenticated> {
    const { username, password, key } = this.credentials(value, socket);
    const { auth, repos } = this.deps;
    const lock = auth.lockout.locked(ip, username);
    if (lock === 'user') throw new DavError(429, userLockedMessage(username), undefined, { 'Retry-After': '900' });
    if (lock) throw new DavError(429, AuthMessages.tooMany, undefined, { 'Retry-After': '300' });
    if (username === 'guest') return { principal: await this.guest(), password };
    if (looksLikeApiToken(password)) return { principal: await auth.authenticate(password, ip), password: undefined };
    const known = this.verified.get(key);
    if (known) {
      const user = await repos.users.getAccount(known.userId);
      const still = user && !user.disabled && !user.otpSecret && user.username === username;
      if (still && user.pwdTs === known.pwdTs && user.sessionEpoch === known.sessionEpoch) return { principal: { user, kind: 'login' }, password };
      this.verified.delete(key);
    }
    const user = await auth.checkCredentials({ username, password, ip, via: 'webdav' });
    this.verified.set(key, { userId: user.id, pwdTs: user.pwdTs, sessionEpoch: user.sessionEpoch });
    return { principal: { user, kind: 'login' }, password };
  }
}
