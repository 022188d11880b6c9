import { ExponentialBackoff, handleWhen, retry, type IBackoff, type IBackoffFactory, type IRetryBackoffContext, type RetryPolicy } from 'cockatiel';
import { FsError } from '../../core/errors.js';

export interface RetryOptions {
  /** Attempts after the first (default 2). */
  retries?: number;
  /** First wait (default 100 ms); it grows exponentially, with jitter, up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** Longest wait between attempts (default 1 s). A longer Retry-After is not waited for: the error is thrown as it is. */
  maxDelayMs?: number;
  /**
   * No attempt starts later than this after the first one did (default 10 s): a failure that
   * came slowly has used the caller's time already (core's guard owns the call's deadline).
   */
  budgetMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal | undefined;
  /** Which failures are worth another attempt (default: an FsError marked retryable). */
  when?: (err: FsError) => boolean;
}

/** Thrown from inside an attempt to stop retrying at once; the inner error is what the caller gets. */
export class GiveUp extends Error {
  constructor(readonly inner: unknown) {
    super('not retried');
  }
}

const isRetryable = (err: FsError): boolean => err.retryable;

/** The wait the last failure asked for (an FsError's retryAfterMs, from Retry-After). */
function askedWait(ctx: IRetryBackoffContext<unknown>): number | undefined {
  return 'error' in ctx.result && ctx.result.error instanceof FsError ? ctx.result.error.retryAfterMs : undefined;
}

/** Exponential backoff with jitter, never shorter than the wait a failure's Retry-After asked for. */
function honouringRetryAfter(base: IBackoffFactory<unknown>): IBackoffFactory<IRetryBackoffContext<unknown>> {
  return {
    next(ctx): IBackoff<IRetryBackoffContext<unknown>> {
      const step = base.next(ctx);
      return { duration: Math.max(askedWait(ctx) ?? 0, step.duration), next: (c) => honouringRetryAfter(step).next(c) };
    },
  };
}

/**
 * The one retry policy of the drivers (cockatiel): a few attempts with short jittered backoff,
 * for failures the driver's error mapping marked `retryable`, honouring Retry-After. Callers
 * use it for idempotent work only (reads, and requests that are safe to repeat); core's guard
 * adds the breaker and the deadline around the whole call.
 */
export class Retry {
  private readonly policy: RetryPolicy;
  private readonly maxDelayMs: number;
  private readonly budgetMs: number;

  constructor(o: RetryOptions = {}) {
    this.maxDelayMs = o.maxDelayMs ?? 1_000;
    this.budgetMs = o.budgetMs ?? 10_000;
    const backoff = new ExponentialBackoff({ initialDelay: o.initialDelayMs ?? 100, maxDelay: this.maxDelayMs });
    this.policy = retry(handleWhen((e) => !(e instanceof GiveUp)), { maxAttempts: o.retries ?? 2, backoff: honouringRetryAfter(backoff) }).dangerouslyUnref();
  }

  /** Runs `fn`, again after a failure `when` accepts, while attempts and budget last. */
  async run<T>(fn: () => Promise<T>, o: RunOptions = {}): Promise<T> {
    const started = Date.now();
    const when = o.when ?? isRetryable;
    const attempt = async (): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof GiveUp || this.worthAnother(err, when, started, o.signal)) throw err;
        throw new GiveUp(err);
      }
    };
    try {
      return await this.policy.execute(attempt, o.signal);
    } catch (err) {
      throw err instanceof GiveUp ? err.inner : err;
    }
  }

  private worthAnother(err: unknown, when: (err: FsError) => boolean, started: number, signal: AbortSignal | undefined): boolean {
    if (!(err instanceof FsError) || err.code === 'aborted' || signal?.aborted || !when(err)) return false;
    if ((err.retryAfterMs ?? 0) > this.maxDelayMs) return false;
    return Date.now() - started < this.budgetMs;
  }
}
