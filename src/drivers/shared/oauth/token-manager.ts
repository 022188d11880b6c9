import type { Logger } from 'pino';
import { FsError } from '../../../core/errors.js';
import type { DriverStatus, TokenStore } from '../../../core/storage/index.js';
import { DEFAULT_POLICY, RefreshPolicy, type RefreshPolicyOptions } from './policy.js';
import { RefreshRejected, type RefreshRoute } from './routes.js';
import { fromPersisted, seedFingerprint, seedTokens, toPersisted, type TokenSet } from './state.js';

export interface TokenManagerOptions {
  store: TokenStore;
  /** The refresh token in the storage's configuration. */
  seedRefreshToken: string;
  /** Refresh routes in order of preference; the one that last worked is tried first. */
  routes: readonly RefreshRoute[];
  logger: Logger;
  /** Aborts refreshes when the mount closes. */
  signal?: AbortSignal;
  now?: () => number;
  /** Proactive refresh at this fraction of the access token's lifetime (default 0.8)... */
  refreshAt?: number;
  /** ...plus or minus this fraction of it at random (default 0.05). */
  jitter?: number;
  /** Lease on the storage's tokens across processes (default 60 s). */
  lockTtlMs?: number;
  policy?: Partial<RefreshPolicyOptions>;
}

export type TokenState = 'ok' | 'refresh_failing' | 'needs_reauth' | 'no_token';

/** What a driver can log or show: which route is in use, until when the token works, what went wrong. */
export interface TokenStatus {
  state: TokenState;
  route: string;
  expiresAt: Date | null;
  lastRefreshAt: Date | null;
  lastError: string | null;
  refreshes: number;
  failures: number;
}

type Reason = 'expired' | 'proactive' | 'rejected';

/**
 * Access tokens for one mount (DESIGN.md §6): refreshed before expiry, once at a time (single
 * flight here, `tokens.withLock` across processes, re-reading the store under the lock), the
 * rotated refresh token saved before the new access token is handed out, a still-valid access
 * token served while refreshes fail, and a refused refresh token reported once as
 * `unauthorized_upstream` (not retryable) instead of retried.
 */
export class TokenManager {
  private current: TokenSet;
  private readonly seed: string;
  private readonly policy: RefreshPolicy;
  private readonly now: () => number;
  private readonly closed = new AbortController();
  private readonly signal: AbortSignal;
  private inflight: Promise<TokenSet> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private fatal: FsError | undefined;
  private preferred: string;
  private started = false;
  private stats = { refreshes: 0, failures: 0, lastRefreshAt: 0, lastError: null as string | null };

  constructor(private readonly o: TokenManagerOptions) {
    this.seed = seedFingerprint(o.seedRefreshToken);
    this.current = seedTokens(o.seedRefreshToken);
    this.now = o.now ?? Date.now;
    this.policy = new RefreshPolicy(o.routes, { ...DEFAULT_POLICY, ...o.policy });
    this.preferred = o.routes[0]?.name ?? '';
    this.signal = o.signal ? AbortSignal.any([o.signal, this.closed.signal]) : this.closed.signal;
  }

  /** Loads the stored tokens (once) and arms the proactive timer; never calls the network. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const stored = fromPersisted(await this.o.store.load(), this.seed);
    if (stored) this.current = stored;
    if (stored && stored.route !== 'stored' && stored.route !== 'seed' && this.o.routes.some((r) => r.name === stored.route)) this.preferred = stored.route;
    this.schedule();
  }

  /** A usable access token, refreshing first when there is none or it has (nearly) expired. */
  async accessToken(): Promise<string> {
    await this.start();
    if (this.usable(this.current)) return this.current.accessToken;
    if (this.fatal) throw this.fatal;
    return (await this.refresh('expired')).accessToken;
  }

  /**
   * The upstream refused `rejected` (AccessTokenInvalid, 401): refresh once, unless another caller
   * or process already replaced it. Returns the token to retry with.
   */
  async rejected(rejected: string): Promise<string> {
    await this.start();
    if (this.current.accessToken !== rejected && this.usable(this.current)) return this.current.accessToken;
    if (this.fatal) throw this.fatal;
    return (await this.refresh('rejected', rejected)).accessToken;
  }

  /** Refreshes now (tests, the crash harness); single-flight like every other refresh. */
  async refreshNow(): Promise<TokenSet> {
    await this.start();
    return this.refresh('expired', this.current.accessToken || undefined);
  }

  status(): TokenStatus {
    const c = this.current;
    const state: TokenState = this.fatal ? 'needs_reauth' : this.stats.lastError ? 'refresh_failing' : c.accessToken ? 'ok' : 'no_token';
    return {
      state,
      route: c.route,
      expiresAt: c.expiresAt ? new Date(c.expiresAt) : null,
      lastRefreshAt: this.stats.lastRefreshAt ? new Date(this.stats.lastRefreshAt) : null,
      lastError: this.fatal?.message ?? this.stats.lastError,
      refreshes: this.stats.refreshes,
      failures: this.stats.failures,
    };
  }

  /** The token's state as the mount shows it: degraded while refreshes fail, with the route in use. */
  driverStatus(): DriverStatus {
    const t = this.status();
    const details = {
      token_state: t.state,
      token_route: t.route,
      token_expires_at: t.expiresAt?.toISOString() ?? null,
      last_refresh_at: t.lastRefreshAt?.toISOString() ?? null,
      last_refresh_error: t.lastError,
    };
    return t.state === 'refresh_failing' ? { degraded: `token refresh failing (${t.lastError ?? 'unknown error'}); serving with the current access token`, details } : { details };
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.closed.abort(new FsError('aborted', 'token manager closed'));
  }

  /** A token that still works for a while: at least 10 s or a tenth of its lifetime, whichever is less. */
  private usable(t: TokenSet): boolean {
    if (t.accessToken === '' || t.expiresAt === 0) return false;
    const margin = Math.min(10_000, Math.max(0, (t.expiresAt - t.obtainedAt) / 10));
    return t.expiresAt - margin > this.now();
  }

  private refresh(reason: Reason, rejected?: string): Promise<TokenSet> {
    this.inflight ??= this.refreshLocked(reason, rejected).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refreshLocked(reason: Reason, rejected?: string): Promise<TokenSet> {
    try {
      const next = await this.o.store.withLock(this.o.lockTtlMs ?? 60_000, () => this.underLock(reason, rejected));
      this.stats.lastError = null;
      this.schedule();
      return next;
    } catch (err) {
      throw this.failed(err, reason);
    }
  }

  /** Re-reads the store (another process may have rotated), refreshes if still needed, saves, then adopts. */
  private async underLock(reason: Reason, rejected?: string): Promise<TokenSet> {
    const stored = fromPersisted(await this.o.store.load(), this.seed);
    if (stored && this.adoptable(stored, reason, rejected)) {
      this.o.logger.debug({ route: stored.route }, 'oauth: adopted tokens refreshed elsewhere');
      this.current = stored;
      return stored;
    }
    const base = stored ?? seedTokens(this.o.seedRefreshToken);
    const { grant, route } = await this.policy.run(base.refreshToken, this.preferred, this.signal);
    const at = this.now();
    const next: TokenSet = {
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken ?? base.refreshToken,
      obtainedAt: at,
      expiresAt: at + grant.expiresInSec * 1000,
      route,
    };
    // Persisted before anyone sees the new access token: a crash from here on leaves the new
    // refresh token stored; a crash before leaves the old one, still valid as the new pair was never used.
    await this.o.store.save(toPersisted(next, this.seed, at));
    this.current = next;
    this.preferred = route;
    this.stats.refreshes++;
    this.stats.lastRefreshAt = at;
    this.o.logger.info({ route, reason, expiresAt: new Date(next.expiresAt).toISOString(), rotated: grant.refreshToken !== undefined }, 'oauth: access token refreshed');
    return next;
  }

  private adoptable(stored: TokenSet, reason: Reason, rejected?: string): boolean {
    if (!this.usable(stored) || (rejected !== undefined && stored.accessToken === rejected)) return false;
    if (reason === 'proactive') return stored.obtainedAt > this.current.obtainedAt;
    return true;
  }

  private failed(err: unknown, reason: Reason): FsError {
    this.stats.failures++;
    if (err instanceof RefreshRejected) {
      this.fatal = new FsError('unauthorized_upstream', `${err.message}; save a new refresh token for this storage (filebridge storage set-token)`, { cause: err, retryable: false });
      this.o.logger.error({ reason, err: err.message }, 'oauth: refresh token refused; the storage needs a new one');
      clearTimeout(this.timer);
      return this.fatal;
    }
    const e = err instanceof FsError ? err : new FsError('storage_unavailable', `token refresh failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err, retryable: true });
    this.stats.lastError = e.message;
    const valid = this.usable(this.current);
    this.o.logger.warn({ reason, err: e.message, stillValid: valid }, valid ? 'oauth: refresh failed; the current access token keeps serving' : 'oauth: refresh failed');
    if (!this.signal.aborted) this.scheduleRetry();
    return e;
  }

  /** Arms the proactive refresh at ~80 % of the lifetime (with jitter). */
  private schedule(): void {
    clearTimeout(this.timer);
    const t = this.current;
    if (this.fatal || this.signal.aborted || t.expiresAt === 0 || t.accessToken === '') return;
    const life = t.expiresAt - t.obtainedAt;
    const jitter = (Math.random() * 2 - 1) * (this.o.jitter ?? 0.05) * life;
    const at = t.obtainedAt + life * (this.o.refreshAt ?? 0.8) + jitter;
    this.arm(Math.max(0, at - this.now()));
  }

  /** After a failed refresh: try again in a quarter of what is left (at least 1 s, at most a minute). */
  private scheduleRetry(): void {
    clearTimeout(this.timer);
    if (this.fatal) return;
    const left = this.current.expiresAt - this.now();
    this.arm(Math.min(60_000, Math.max(1_000, left / 4)));
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh('proactive').catch(() => undefined);
    }, delay);
    this.timer.unref();
  }
}
