import type { Logger } from 'pino';
import type { ConnectionStats, Driver, DriverFacts, Link } from './storage/index.js';
import { FsError } from './errors.js';
import { ListCache } from './cache.js';
import { LazyLru } from './lazy-lru.js';
import { type CallCounters, type GuardOptions, MountGuard } from './guard.js';
import { instrumentDriver } from './instrument.js';
import type { VEntry } from './entries.js';

/**
 * `needs_reauth`: the storage refused its credentials for good (a rejected refresh token, say);
 * no retries until its configuration changes.
 */
/** Every state a mount can show; metrics and the UI iterate this list. */
export const MOUNT_STATES = ['pending', 'ready', 'degraded', 'error', 'needs_reauth', 'disabled'] as const;
export type MountState = (typeof MOUNT_STATES)[number];

/** How long after serving a stale listing a mount still reports itself degraded. */
const STALE_DEGRADED_MS = 60_000;

/** How a mount is served: AList's per-storage settings that decide links, signs and sorting. */
export interface MountPolicy {
  /** Web downloads always go through this server. */
  webProxy: boolean;
  /** Downloads need a signed link even when signing is off globally. */
  enableSign: boolean;
  /** WebDAV GET: `302_redirect`, `use_proxy_url` or `native_proxy`. */
  webdavPolicy: string;
  downProxyUrl: string;
  orderBy: string;
  orderDirection: string;
  extractFolder: string;
}

/** Everything core needs to know about one mount; built from the database by the mount manager. */
export interface MountSpec {
  id: number;
  mountPath: string;
  driverId: string;
  order: number;
  /** Listing cache lifetime; 0 disables caching. */
  cacheTtlMs: number;
  facts: DriverFacts;
  /** A stamp that changes whenever the stored configuration changes. */
  version: string;
  disabled: boolean;
  modified: Date;
  policy: MountPolicy;
}

/** An opened driver and what releases its resources (sockets, handles). */
export interface OpenedDriver {
  driver: Driver;
  release(): Promise<void>;
  stats?(): ConnectionStats;
}

export interface MountDeps {
  open(signal: AbortSignal): OpenedDriver;
  logger: Logger;
  initTimeoutMs: number;
  retry: { initialDelayMs: number; maxDelayMs: number };
  guard: GuardOptions;
  /** Oldest listing served when the upstream fails. */
  staleMaxAgeMs: number;
  onStateChange?(mount: Mount): void;
}

export interface MountStatus {
  state: MountState;
  error: string | null;
  since: Date;
  lastErrorAt: Date | null;
  nextRetryAt: Date | null;
  attempts: number;
}

/**
 * One mounted storage and its lifecycle: pending → ready | error | disabled. Init runs under a
 * deadline; a failure keeps its error and retries in the background with jittered exponential
 * backoff. A mount never blocks another mount or start-up.
 */
export class Mount {
  readonly spec: MountSpec;
  /** Listings by driver-relative folder; shared arrays that callers must not mutate. */
  readonly cache: ListCache<VEntry>;
  private readonly deps: MountDeps;
  private opened: OpenedDriver | undefined;
  private lifetime = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private statusValue: MountStatus;
  private attemptRunning: Promise<void> | undefined;
  /** Timeouts and the circuit breaker around every driver call. */
  readonly guard: MountGuard;
  /** Direct links by driver-relative path, kept until they expire. */
  readonly links = new LazyLru<string, Link>({ max: 1000 });
  /** Folders confirmed to exist in the last seconds (uploads into one folder skip the look-up). */
  readonly knownDirs = new LazyLru<string, true>({ max: 5000, ttl: 5000 });
  private staleAt: Date | undefined;

  constructor(spec: MountSpec, deps: MountDeps) {
    this.spec = spec;
    this.deps = deps;
    this.cache = new ListCache<VEntry>({ ttlMs: spec.cacheTtlMs, max: 2000, staleMaxAgeMs: deps.staleMaxAgeMs });
    this.guard = new MountGuard(deps.guard, (err) => this.authRejected(err));
    const state: MountState = spec.disabled ? 'disabled' : 'pending';
    this.statusValue = { state, error: null, since: new Date(), lastErrorAt: null, nextRetryAt: null, attempts: 0 };
  }

  get path(): string {
    return this.spec.mountPath;
  }

  /** Calls to the driver: in flight, total, upstream failures. */
  get counters(): CallCounters {
    return this.guard.counters;
  }

  /** The lifecycle state, shown as `degraded` while a ready mount serves with a fallback in use. */
  status(): MountStatus {
    const s = { ...this.statusValue };
    if (s.state !== 'ready') return s;
    const reason = this.degradation();
    return reason ? { ...s, state: 'degraded', error: reason } : s;
  }

  /** Why a ready mount is degraded, if it is. */
  private degradation(): string | undefined {
    const breaker = this.guard.state();
    if (breaker !== 'closed') return `upstream failing (circuit ${breaker}): ${this.guard.lastFailure?.message ?? 'unknown error'}`;
    const stale = this.staleAt?.getTime() ?? 0;
    if (stale > this.guard.lastSuccessAt && Date.now() - stale < STALE_DEGRADED_MS) {
      return `served stale listings at ${new Date(stale).toISOString()}: ${this.guard.lastFailure?.message ?? 'upstream failed'}`;
    }
    return this.opened?.driver.status?.().degraded;
  }

  /** Core calls this when it serves a cached listing because the upstream failed. */
  markStale(): void {
    this.staleAt = new Date();
  }

  /** A call said the credentials are refused for good: stop serving until they change. */
  private authRejected(err: FsError): void {
    if (this.statusValue.state !== 'ready') return;
    this.setState({ state: 'needs_reauth', error: err.message, lastErrorAt: new Date(), nextRetryAt: null, attempts: this.statusValue.attempts });
    this.deps.logger.warn({ mount: this.path, err: err.message }, 'storage credentials refused while serving; not retrying until they are saved');
  }

  /**
   * Starts initialisation in the background; returns at once. With `turn`, the first attempt
   * waits for it (a later turn of the event loop), so opening never runs inside the caller.
   */
  start(turn?: () => Promise<void>): void {
    if (this.spec.disabled) return;
    void this.attempt(turn);
  }

  /** Resolves when the current init attempt has ended (for tests and the CLI). */
  async settled(): Promise<void> {
    await this.attemptRunning;
  }

  /** Cancels a scheduled retry and tries again now. */
  retryNow(): void {
    if (this.spec.disabled || this.statusValue.state === 'ready' || this.attemptRunning) return;
    // An operator asking again is allowed to retry a storage that needs re-authorisation.
    clearTimeout(this.timer);
    void this.attempt();
  }

  /** The ready driver, or storage_unavailable with the mount's state and last error. */
  driver(): Driver {
    const s = this.statusValue;
    if (s.state === 'ready' && this.opened) return this.opened.driver;
    const why = s.state === 'error' ? `: ${s.error ?? 'unknown error'}` : '';
    throw new FsError('storage_unavailable', `storage ${this.path} is ${s.state}${why}`, {
      retryable: s.state !== 'disabled',
      retryAfterMs: s.nextRetryAt ? Math.max(0, s.nextRetryAt.getTime() - Date.now()) : undefined,
    });
  }

  /** What the driver reports about itself (e.g. its OAuth token's state and route). */
  details(): Record<string, unknown> | undefined {
    return this.opened?.driver.status?.().details;
  }

  /** Upstream connections held now (zero when the driver is not open). */
  connections(): ConnectionStats {
    return this.opened?.stats?.() ?? { open: 0, idle: 0, busy: 0, queued: 0 };
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.lifetime.abort(new FsError('aborted', 'mount closed'));
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await releaseQuietly(opened, this.deps.logger);
    this.cache.clear();
    this.links.clear();
    this.knownDirs.clear();
  }

  private attempt(turn?: () => Promise<void>): Promise<void> {
    const run = (turn ? turn().then(() => this.runAttempt()) : this.runAttempt()).finally(() => {
      this.attemptRunning = undefined;
    });
    this.attemptRunning = run;
    return run;
  }

  private async runAttempt(): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    const { logger, initTimeoutMs } = this.deps;
    const deadline = AbortSignal.timeout(initTimeoutMs);
    const signal = AbortSignal.any([this.lifetime.signal, deadline]);
    let opened: OpenedDriver | undefined;
    try {
      const raw = this.deps.open(this.lifetime.signal);
      opened = raw;
      await withDeadline(raw.driver.init?.(signal), signal, initTimeoutMs);
      if (this.lifetime.signal.aborted) throw new FsError('aborted', 'mount closed');
      // Instrumented once initialised: a driver whose module loads in init has its methods only now.
      opened = { ...raw, driver: instrumentDriver(raw.driver, this.guard) };
      this.opened = opened;
      this.setState({ state: 'ready', error: null, lastErrorAt: this.statusValue.lastErrorAt, nextRetryAt: null, attempts: 0 });
      logger.info({ mount: this.path }, 'storage ready');
    } catch (err) {
      if (opened) await releaseQuietly(opened, logger);
      if (this.lifetime.signal.aborted) return;
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    const attempts = this.statusValue.attempts + 1;
    if (err instanceof FsError && err.code === 'unauthorized_upstream' && !err.retryable) {
      const now = new Date();
      this.setState({ state: 'needs_reauth', error: err.message, lastErrorAt: now, nextRetryAt: null, attempts });
      this.deps.logger.warn({ mount: this.path, err: err.message }, 'storage needs new credentials; not retrying until they are saved');
      return;
    }
    const { initialDelayMs, maxDelayMs } = this.deps.retry;
    const exp = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempts - 1, 30));
    const delay = Math.round(exp / 2 + Math.random() * (exp / 2));
    const message = err instanceof Error ? err.message : String(err);
    const now = new Date();
    this.setState({ state: 'error', error: message, lastErrorAt: now, nextRetryAt: new Date(now.getTime() + delay), attempts });
    this.deps.logger.warn({ mount: this.path, err: message, retryInMs: delay, attempts }, 'storage failed to initialise');
    this.timer = setTimeout(() => void this.attempt(), delay);
    this.timer.unref();
  }

  private setState(next: Omit<MountStatus, 'since'>): void {
    const changed = next.state !== this.statusValue.state || next.error !== this.statusValue.error;
    this.statusValue = { ...next, since: changed ? new Date() : this.statusValue.since };
    if (changed) this.deps.onStateChange?.(this);
  }
}

async function releaseQuietly(opened: OpenedDriver, logger: Logger): Promise<void> {
  try {
    await opened.release();
  } catch (err) {
    logger.warn({ err }, 'error while releasing a storage driver');
  }
}

/** Waits for `work` but no longer than the deadline; a driver that ignores its signal is left behind. */
async function withDeadline(work: Promise<void> | undefined, signal: AbortSignal, timeoutMs: number): Promise<void> {
  if (!work) return;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new FsError('storage_unavailable', `initialisation did not finish within ${timeoutMs} ms`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined);
  try {
    await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
