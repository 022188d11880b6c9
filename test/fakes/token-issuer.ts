import { randomBytes } from 'node:crypto';

/**
 * The token side of a fake OAuth provider.
 *
 * Rotation and grace (what the tests rely on, and what real providers tolerate in spirit):
 * every refresh returns a NEW refresh token and the one used becomes "previous". The previous
 * refresh token stays valid only until an access token issued with the new one is first used;
 * from then on only the newest refresh token works. So a client that crashes after the provider
 * rotated but before it stored the new token can still refresh with the old one, as long as it
 * never used the new access token, which is exactly the rule "persist the rotated refresh token
 * before using the new access token". Tokens of a chain that were superseded otherwise are refused
 * (`invalid_grant`). Access tokens expire after `accessLifetimeMs`.
 */
export interface IssuerOptions {
  accessLifetimeMs?: number;
  /** false: refresh returns the same refresh token (no rotation). */
  rotate?: boolean;
}

interface Chain {
  sub: string;
  current: string;
  previous: string | undefined;
  /** An access token issued with `current` has been used: `previous` is dead. */
  currentUsed: boolean;
}

interface Access {
  chain: Chain;
  refreshToken: string;
  expiresAt: number;
}

export type RefreshOutcome = { ok: true; accessToken: string; refreshToken: string; expiresInSec: number } | { ok: false; reason: string };
export type AccessCheck = 'ok' | 'invalid' | 'expired';

export class TokenIssuer {
  accessLifetimeMs: number;
  rotate: boolean;
  private readonly chains = new Map<string, Chain>();
  private readonly access = new Map<string, Access>();
  readonly stats = { refreshes: 0, refused: 0, accessUses: 0 };
  /** Access tokens issued, in order, with the time each was first used (for "saved before use" checks). */
  readonly firstUse = new Map<string, number>();

  constructor(o: IssuerOptions = {}) {
    this.accessLifetimeMs = o.accessLifetimeMs ?? 3_600_000;
    this.rotate = o.rotate ?? true;
  }

  /** A refresh token for a new login of `sub` (what a user pastes into the storage form). */
  issueRefreshToken(sub = 'user-1'): string {
    const token = jwtLike(sub);
    this.chains.set(token, { sub, current: token, previous: undefined, currentUsed: false });
    return token;
  }

  /** Whether `token` would be accepted now, without using it. */
  accepts(token: string): boolean {
    const chain = this.chains.get(token);
    return chain !== undefined && (chain.current === token || (chain.previous === token && !chain.currentUsed));
  }

  refresh(token: string): RefreshOutcome {
    const chain = this.chains.get(token);
    if (!chain || !this.accepts(token)) {
      this.stats.refused++;
      return { ok: false, reason: chain ? 'refresh token was already used and superseded' : 'refresh token is not known' };
    }
    this.stats.refreshes++;
    const next = this.rotate ? jwtLike(chain.sub) : token;
    if (this.rotate) {
      chain.previous = token;
      chain.current = next;
      chain.currentUsed = false;
      this.chains.set(next, chain);
    }
    const accessToken = `at-${randomBytes(12).toString('hex')}`;
    this.access.set(accessToken, { chain, refreshToken: next, expiresAt: Date.now() + this.accessLifetimeMs });
    return { ok: true, accessToken, refreshToken: next, expiresInSec: this.accessLifetimeMs / 1000 };
  }

  /** Checks a bearer token and records its use (which ends the grace of the previous refresh token). */
  use(accessToken: string): AccessCheck {
    const a = this.access.get(accessToken);
    if (!a) return 'invalid';
    if (a.expiresAt <= Date.now()) return 'expired';
    this.stats.accessUses++;
    if (!this.firstUse.has(accessToken)) this.firstUse.set(accessToken, Date.now());
    if (a.chain.current === a.refreshToken) a.chain.currentUsed = true;
    return 'ok';
  }

  /** Makes every access token issued so far invalid (as a server-side revocation would). */
  revokeAccessTokens(): void {
    this.access.clear();
  }

  /** Refuses every refresh token of every chain from now on (the user revoked the app). */
  revokeAll(): void {
    this.chains.clear();
    this.access.clear();
  }

  /** The refresh token a chain would accept as newest, for a token of that chain. */
  newestOf(token: string): string | undefined {
    return this.chains.get(token)?.current;
  }
}

function jwtLike(sub: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, jti: randomBytes(8).toString('hex') })}.${randomBytes(16).toString('base64url')}`;
}
