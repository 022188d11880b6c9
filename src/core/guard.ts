import { createRequire } from 'node:module';
import type * as Cockatiel from 'cockatiel';
import { FsError, isFsError } from './errors.js';

/**
 * cockatiel (some thirty modules) loads with the first guarded call or the first error looked at,
 * not at start-up: a mount's breaker is made when the mount first calls its storage.
 */
const requireHere = createRequire(import.meta.url);
const cockatiel = (): typeof Cockatiel => requireHere('cockatiel') as typeof Cockatiel;

export interface GuardOptions {
  /** Deadline for one metadata call (stat, list, mkdir, ...). */
  timeoutMs: number;
  /** Consecutive upstream failures that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before one probe call is let through. */
  halfOpenMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a mount counts about its driver calls. */
export interface CallCounters {
  inflight: number;
  calls: number;
  /** Failures that came from the upstream (not bad requests such as not_found). */
  upstreamErrors: number;
}

const UPSTREAM_CODES = new Set(['upstream_error', 'storage_unavailable', 'rate_limited', 'unauthorized_upstream']);

/** A driver call that did not settle within the mount's deadline. */
export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** A deadline that passed, or a cockatiel task cancelled (a driver's retry given up on abort). */
function isCancelled(err: unknown): boolean {
  return err instanceof DeadlineError || (err instanceof Error && err instanceof cockatiel().TaskCancelledError);
}

/**
 * Settles with `work`, or rejects with a DeadlineError after `ms`. One timer per call and no
 * AbortController: the driver call is not cancelled (its own socket timeouts end it), the caller
 * just stops waiting.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err as Error);
      },
    );
  });
}

/** Failures that say the upstream is unwell (as opposed to a missing file or a bad name). */
export function isUpstreamFailure(err: unknown): boolean {
  if (isCancelled(err)) return true;
  return !isFsError(err) ? !(err instanceof Error && err.name === 'AbortError') : UPSTREAM_CODES.has(err.code);
}

/**
 * One mount's protection around its driver: a timeout on every metadata call and a circuit
 * breaker (cockatiel) that makes calls fail fast after repeated upstream failures and lets one
 * probe through later, so the mount heals by itself. These are the call's only breaker and only
 * deadline: drivers retry (drivers/shared/retry.ts) and keep per-attempt socket timeouts, no more.
 */
export class MountGuard {
  readonly counters: CallCounters = { inflight: 0, calls: 0, upstreamErrors: 0 };
  lastFailure: { message: string; at: Date } | undefined;
  /** When a call last succeeded. */
  lastSuccessAt = 0;
  private made: Cockatiel.CircuitBreakerPolicy | undefined;

  constructor(
    private readonly options: GuardOptions,
    /** Told when the upstream refuses the credentials for good (a non-retryable unauthorized_upstream). */
    private readonly onAuthRejected: (err: FsError) => void = () => undefined,
  ) {}

  /** The breaker, made at the first call (until then it is as a new one: closed). */
  private get breaker(): Cockatiel.CircuitBreakerPolicy {
    if (this.made) return this.made;
    const { circuitBreaker, handleWhen, ConsecutiveBreaker } = cockatiel();
    this.made = circuitBreaker(handleWhen(isUpstreamFailure), {
      halfOpenAfter: this.options.halfOpenMs,
      breaker: new ConsecutiveBreaker(this.options.breakerThreshold),
    });
    return this.made;
  }

  state(): BreakerState {
    if (!this.made) return 'closed';
    const s = this.made.state as unknown as number;
    // cockatiel's CircuitState: 0 closed, 1 open, 2 half-open, 3 isolated.
    return s === 0 ? 'closed' : s === 2 ? 'half_open' : 'open';
  }

  /** Runs one driver call under the breaker, with the deadline unless `timed` is false. */
  async call<T>(fn: () => Promise<T>, timed = true): Promise<T> {
    this.counters.inflight++;
    this.counters.calls++;
    try {
      const ms = this.options.timeoutMs;
      const out = await this.breaker.execute(timed ? () => withDeadline(fn(), ms) : fn);
      this.lastSuccessAt = Date.now();
      return out;
    } catch (err) {
      const mapped = this.map(err);
      if (isFsError(err, 'unauthorized_upstream') && !err.retryable) this.onAuthRejected(err);
      if (isUpstreamFailure(err)) {
        this.counters.upstreamErrors++;
        this.lastFailure = { message: mapped instanceof Error ? mapped.message : String(mapped), at: new Date() };
      }
      throw mapped;
    } finally {
      this.counters.inflight--;
    }
  }

  private map(err: unknown): unknown {
    if (err instanceof Error && err instanceof cockatiel().BrokenCircuitError) {
      const why = this.lastFailure ? `: ${this.lastFailure.message}` : '';
      return new FsError('storage_unavailable', `upstream is failing; calls are paused for up to ${this.options.halfOpenMs} ms${why}`, {
        retryable: true,
        retryAfterMs: this.options.halfOpenMs,
      });
    }
    if (isCancelled(err)) {
      return new FsError('upstream_error', `upstream did not answer within ${this.options.timeoutMs} ms`, { retryable: true, cause: err });
    }
    return err;
  }
}
