import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import { FsError } from '../../../core/errors.js';
import { RefreshRejected, type RefreshRoute, type TokenGrant } from './routes.js';

export interface RefreshPolicyOptions {
  /** Rounds over all routes before giving up (default 3). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it. */
  maxRetryAfterMs: number;
  /** Consecutive failures that open a route's circuit, and how long it stays open. */
  breakerFailures: number;
  breakerHalfOpenMs: number;
}

export const DEFAULT_POLICY: RefreshPolicyOptions = {
  maxAttempts: 3,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  breakerFailures: 3,
  breakerHalfOpenMs: 10_000,
};

/** Full-jitter exponential backoff that waits at least what a Retry-After asked for. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly o: RefreshPolicyOptions) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const exp = Math.min(this.o.maxDelayMs, this.o.initialDelayMs * 2 ** Math.max(0, context.attempt - 1));
    const jittered = exp / 2 + Math.random() * (exp / 2);
    const err = 'error' in context.result ? context.result.error : undefined;
    const asked = err instanceof FsError && err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, this.o.maxRetryAfterMs) : 0;
    return { duration: Math.max(jittered, asked), next: (c) => this.next(c) };
  }
}

export interface RouteOutcome {
  grant: TokenGrant;
  route: string;
}

const notRejected = (e: Error): boolean => !(e instanceof RefreshRejected) && !(e instanceof FsError && e.code === 'aborted');

/**
 * Runs a refresh over several routes: each route behind its own circuit breaker, every call under
 * the route's timeout; one round tries the preferred route, then the others. Rounds are retried
 * with backoff unless every route refused the token (RefreshRejected) or the signal aborted.
 */
export class RefreshPolicy {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(private readonly routes: readonly RefreshRoute[], private readonly o: RefreshPolicyOptions) {
    for (const r of routes) {
      this.breakers.set(r.name, circuitBreaker(handleWhen(notRejected), { halfOpenAfter: o.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(o.breakerFailures) }));
    }
  }

  async run(refreshToken: string, preferred: string, signal: AbortSignal): Promise<RouteOutcome> {
    const policy = retry(handleWhen(notRejected), { maxAttempts: Math.max(0, this.o.maxAttempts - 1), backoff: new RetryAfterBackoff(this.o) });
    return policy.execute(() => this.round(refreshToken, preferred, signal), signal);
  }

  /** One pass over the routes, preferred first. */
  private async round(refreshToken: string, preferred: string, signal: AbortSignal): Promise<RouteOutcome> {
    const ordered = [...this.routes].sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred));
    const failures: Error[] = [];
    for (const route of ordered) {
      if (signal.aborted) throw new FsError('aborted', 'token refresh aborted');
      try {
        const breaker = this.breakers.get(route.name);
        const grant = breaker ? await breaker.execute(() => route.refresh(refreshToken, signal)) : await route.refresh(refreshToken, signal);
        return { grant, route: route.name };
      } catch (err) {
        failures.push(err instanceof BrokenCircuitError ? new FsError('storage_unavailable', `${route.name}: circuit open after repeated failures`, { retryable: true }) : toError(err));
      }
    }
    throw combine(failures);
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** All refused → RefreshRejected; otherwise a retryable FsError naming every route's failure. */
function combine(failures: Error[]): Error {
  const text = failures.map((f) => f.message).join('; ');
  if (failures.length > 0 && failures.every((f) => f instanceof RefreshRejected)) return new RefreshRejected(text);
  const aborted = failures.find((f) => f instanceof FsError && f.code === 'aborted');
  if (aborted) return aborted;
  const waits = failures.map((f) => (f instanceof FsError ? f.retryAfterMs : undefined)).filter((v): v is number => v !== undefined);
  return new FsError('storage_unavailable', text || 'no refresh route configured', { retryable: true, ...(waits.length > 0 ? { retryAfterMs: Math.max(...waits) } : {}) });
}
