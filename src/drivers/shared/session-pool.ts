import { FsError, toFsError } from '../../core/errors.js';

/**
 * How a pool makes, checks and ends its sessions (an SFTP connection, an FTP control connection).
 * `create` must honour `signal` (give up and clean up when it fires) and throw FsError.
 */
export interface SessionFactory<S> {
  create(signal: AbortSignal): Promise<S>;
  destroy(session: S): Promise<void>;
  /** False once the session is known to be broken (its connection closed or failed). */
  isHealthy(session: S): boolean;
}

export interface SessionPoolOptions {
  /** Upper bound on sessions alive at once, idle and in use together. */
  max: number;
  /** An idle session is closed after this long unused. */
  idleMs: number;
  /** For messages: which mount or storage this pool serves. */
  name?: string;
}

/** What a waiting acquire receives: a session handed over, or a free slot to create one in. */
type Grant<S> = { session: S } | { slot: true };

interface Waiter<S> {
  grant(g: Grant<S>): void;
  fail(err: FsError): void;
}

interface IdleSession<S> {
  session: S;
  timer: NodeJS.Timeout;
}

export interface SessionPoolStats {
  /** Sessions alive (idle + in use) plus sessions being created. */
  size: number;
  idle: number;
  inUse: number;
  waiting: number;
}

/**
 * A small bounded pool of long-lived sessions. At most `max` sessions exist at once; acquirers
 * beyond that wait in order (and leave the queue when their signal fires). Idle sessions close
 * after `idleMs`; broken sessions are destroyed on release or when found idle, and the next
 * acquire creates a fresh one. A failed create rejects that acquire (it never spins). `close()`
 * rejects waiters and destroys every session, including those in use: their operations then fail,
 * which is what unmounting a storage means.
 *
 * Hand-written rather than `generic-pool`: that package never rejects `acquire()` when creating a
 * resource fails (it retries in a busy loop until `acquireTimeoutMillis`; node-pool issues #175,
 * #183, still open) and cannot cancel a waiting acquire with an AbortSignal.
 */
export class SessionPool<S> {
  private readonly idle: IdleSession<S>[] = [];
  private readonly inUse = new Set<S>();
  private readonly waiters: Waiter<S>[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private creating = 0;
  private closed = false;

  constructor(
    private readonly factory: SessionFactory<S>,
    private readonly options: SessionPoolOptions,
  ) {
    if (!Number.isInteger(options.max) || options.max < 1) {
      throw new FsError('invalid_input', `session pool size must be a whole number of at least 1, not ${options.max}`);
    }
  }

  /** The pool's figures in the shape /metrics uses. */
  connectionStats(): { open: number; idle: number; busy: number; queued: number } {
    const st = this.stats();
    return { open: st.idle + st.inUse, idle: st.idle, busy: st.inUse, queued: st.waiting };
  }

  stats(): SessionPoolStats {
    const alive = this.idle.length + this.inUse.size;
    return { size: alive + this.creating, idle: this.idle.length, inUse: this.inUse.size, waiting: this.waiters.length };
  }

  /** A healthy session for exclusive use; give it back with `release` (or `discard`). */
  async acquire(signal?: AbortSignal): Promise<S> {
    for (;;) {
      this.checkOpen(signal);
      const reused = this.takeIdle();
      if (reused !== undefined) return this.lend(reused);
      if (this.stats().size < this.options.max) return this.createSession(signal);
      const grant = await this.waitForTurn(signal);
      if ('slot' in grant) return this.createSession(signal, { reserved: true });
      if (this.closed) throw this.closedError(); // close() destroyed the session handed over
      if (this.factory.isHealthy(grant.session)) return grant.session;
      this.inUse.delete(grant.session);
      this.destroySession(grant.session);
    }
  }

  /** Returns a session; a broken one (or any, once the pool is closed) is destroyed instead. */
  release(session: S): void {
    if (!this.inUse.delete(session)) return;
    if (this.closed || !this.factory.isHealthy(session)) {
      this.destroySession(session);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      this.inUse.add(session);
      waiter.grant({ session });
      return;
    }
    const timer = setTimeout(() => this.expire(session), this.options.idleMs);
    timer.unref();
    this.idle.push({ session, timer });
  }

  /** Destroys a session in use instead of returning it (its state is unknown, e.g. a cut transfer). */
  discard(session: S): void {
    if (this.inUse.delete(session)) this.destroySession(session);
  }

  /** Runs `fn` with a session and always gives it back. */
  async use<T>(fn: (session: S) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const session = await this.acquire(signal);
    try {
      return await fn(session);
    } finally {
      this.release(session);
    }
  }

  /** Rejects waiters, destroys every session (idle and in use) and waits until all are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const err = this.closedError();
    for (const w of this.waiters.splice(0)) w.fail(err);
    for (const { session, timer } of this.idle.splice(0)) {
      clearTimeout(timer);
      this.track(this.factory.destroy(session));
    }
    for (const session of [...this.inUse]) {
      this.inUse.delete(session);
      this.track(this.factory.destroy(session));
    }
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private checkOpen(signal: AbortSignal | undefined): void {
    if (this.closed) throw this.closedError();
    if (signal?.aborted) throw new FsError('aborted', 'operation aborted while waiting for a connection');
  }

  private closedError(): FsError {
    return new FsError('storage_unavailable', `${this.options.name ?? 'storage'}: connection pool is closed`);
  }

  private lend(session: S): S {
    this.inUse.add(session);
    return session;
  }

  /** The most recently used healthy idle session; broken ones found on the way are destroyed. */
  private takeIdle(): S | undefined {
    for (let item = this.idle.pop(); item !== undefined; item = this.idle.pop()) {
      clearTimeout(item.timer);
      if (this.factory.isHealthy(item.session)) return item.session;
      this.track(this.factory.destroy(item.session));
    }
    return undefined;
  }

  /** Creates a session in a free slot; `reserved` when a waiter was granted the slot (already counted). */
  private async createSession(signal: AbortSignal | undefined, opts: { reserved?: boolean } = {}): Promise<S> {
    if (!opts.reserved) this.creating++;
    const created = this.factory.create(signal ?? new AbortController().signal);
    this.track(created);
    let session: S;
    try {
      session = await created;
    } catch (err) {
      this.creating--;
      this.grantSlot();
      throw toFsError(err, 'storage_unavailable');
    }
    this.creating--;
    if (this.closed) {
      this.track(this.factory.destroy(session));
      throw this.closedError();
    }
    return this.lend(session);
  }

  private waitForTurn(signal: AbortSignal | undefined): Promise<Grant<S>> {
    return new Promise<Grant<S>>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new FsError('aborted', 'operation aborted while waiting for a connection'));
      };
      const waiter: Waiter<S> = {
        grant: (g) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(g);
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** A slot came free: the first waiter may create a session in it (the slot is reserved for it). */
  private grantSlot(): void {
    if (this.closed || this.stats().size >= this.options.max) return;
    const waiter = this.waiters.shift();
    if (!waiter) return;
    this.creating++;
    waiter.grant({ slot: true });
  }

  private expire(session: S): void {
    const i = this.idle.findIndex((x) => x.session === session);
    if (i < 0) return;
    this.idle.splice(i, 1);
    this.destroySession(session);
  }

  private destroySession(session: S): void {
    this.track(this.factory.destroy(session));
    this.grantSlot();
  }

  private track(p: Promise<unknown>): void {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
  }
}
