import { isFsError } from '../core/errors.js';
import { isUpstreamFailure } from '../core/guard.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import type { KindHandler } from './kinds.js';
import { TaskState, type TaskKind, isFinal } from './states.js';
import type { NewTask, TaskItem, TaskRecord, TaskStore } from './store.js';
import { itemPaths, planTree, removeMovedFolders, runTransferItem } from './transfer.js';
import { planUpload, runUploadItem } from './upload.js';

export interface RunnerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RunnerOptions {
  /** Who claims: stable across restarts of one instance, so a restarted one takes its own claims back at once. */
  holder: string;
  /** Items running at once in this instance. */
  concurrency: number;
  /** Items running at once per storage (source or target) in this instance. */
  perMount: number;
  /** How long a claim lasts without renewal; another instance takes over a dead one's items after it. */
  leaseMs: number;
  /** How often the queue is looked at when nothing woke the runner. */
  pollMs: number;
  /** Attempts per item before it fails for good (transient upstream failures only; others fail at once). */
  maxAttempts: number;
  /** First retry delay; doubled per attempt, capped at 5 minutes, or the upstream's Retry-After when longer. */
  retryBaseMs: number;
  /** Told once a task succeeded, before it is marked so (e.g. to move WebDAV properties along). */
  afterSuccess?: (task: TaskRecord) => Promise<void>;
}

export const DEFAULT_RUNNER_OPTIONS: Omit<RunnerOptions, 'holder'> = {
  concurrency: 4,
  perMount: 2,
  leaseMs: 30_000,
  pollMs: 1000,
  maxAttempts: 5,
  retryBaseMs: 2000,
};

interface Running {
  task: TaskRecord;
  item: TaskItem;
  bytes: number;
  abort: AbortController;
  mounts: number[];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs the durable tasks: plans each task's tree into items, claims items under a lease (renewed
 * while they run, with their bytes so far), retries transient failures with backoff, stops items
 * of cancelled tasks, and gives each drained task its final state. Everything it knows is in the
 * store: a restart, a `kill -9` or another instance picks up where this one stopped.
 */
export class TaskRunner {
  private readonly running = new Map<number, Running>();
  private planning = 0;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = true;
  private readonly lifetime = new AbortController();
  private readonly work = new Set<Promise<void>>();
  private readonly options: RunnerOptions;
  /** Kinds built outside the runner (offline downloads); tasks of kinds nobody registered are left alone. */
  private readonly kinds = new Map<TaskKind, KindHandler>();

  constructor(
    private readonly store: TaskStore,
    private readonly fs: VirtualFs,
    private readonly logger: RunnerLogger,
    options: Partial<RunnerOptions> & { holder: string },
  ) {
    this.options = { ...DEFAULT_RUNNER_OPTIONS, ...options };
  }

  get holder(): string {
    return this.options.holder;
  }

  /** Takes back this holder's claims left by a previous run of it, then starts looking at the queue. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.store.release(this.options.holder);
    this.heartbeat = setInterval(() => void this.renew(), Math.max(200, Math.floor(this.options.leaseMs / 3)));
    this.heartbeat.unref();
    this.schedule(0);
  }

  /** Stops claiming, stops running items and hands them back to the queue. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.lifetime.abort();
    for (const r of this.running.values()) r.abort.abort();
    await Promise.allSettled([...this.work]);
    await this.store.release(this.options.holder);
  }

  /** Runs tasks of `kind` with `handler` from now on (the runner claims no task of a kind it cannot run). */
  register(kind: TaskKind, handler: KindHandler): void {
    this.kinds.set(kind, handler);
    this.wake();
  }

  private handled(): TaskKind[] {
    return ['copy', 'move', 'upload', ...this.kinds.keys()];
  }

  /** Queues a task and wakes the runner. */
  async submit(input: NewTask): Promise<TaskRecord> {
    const task = await this.store.create(input);
    this.wake();
    return task;
  }

  /**
   * Resolves with the task once it reached a final state (for doors whose clients wait, such as
   * WebDAV COPY). The task does not depend on the waiter: if `signal` aborts (the client went
   * away), waiting stops and the task runs on.
   */
  async waitFor(id: string, signal?: AbortSignal): Promise<TaskRecord | undefined> {
    const every = Math.min(200, this.options.pollMs);
    for (;;) {
      const t = await this.store.get(id);
      if (!t || isFinal(t.state)) return t;
      if (signal?.aborted) return t;
      await new Promise((r) => setTimeout(r, every));
    }
  }

  /** Looks at the queue soon (a task was added, retried or an item finished). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Bytes done so far by this instance's running items of a task (between lease renewals). */
  liveBytes(taskId: string): number {
    let n = 0;
    for (const r of this.running.values()) if (r.task.id === taskId) n += r.bytes;
    return n;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private track(p: Promise<void>): void {
    this.work.add(p);
    void p.finally(() => this.work.delete(p));
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      await this.fill();
    } catch (err) {
      this.logger.warn({ err }, 'task queue could not be read');
    } finally {
      this.ticking = false;
    }
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else this.schedule(this.options.pollMs);
  }

  private slots(): number {
    return this.options.concurrency - this.running.size - this.planning;
  }

  /** The virtual paths an item touches (an upload's source is its staged local file, not a storage). */
  private touched(task: TaskRecord, item?: TaskItem): string[] {
    const handler = this.kinds.get(task.kind);
    if (handler) return handler.touched(task, item);
    const { src, dst } = item ? itemPaths(task, item) : { src: task.src, dst: task.dst };
    return task.kind === 'upload' ? [dst] : [src, dst];
  }

  private mountKeys(task: TaskRecord, item?: TaskItem): number[] {
    const keys: number[] = [];
    for (const p of this.touched(task, item)) {
      const id = this.fs.mountOf(p)?.spec.id;
      if (id !== undefined && !keys.includes(id)) keys.push(id);
    }
    return keys;
  }

  private mountBusy(keys: number[]): boolean {
    for (const key of keys) {
      let n = 0;
      for (const r of this.running.values()) if (r.mounts.includes(key)) n++;
      if (n >= this.options.perMount) return true;
    }
    return false;
  }

  /**
   * Whether a storage this item touches is failing as a whole: still starting (as every storage is
   * just after a restart), failing to initialise, or with its breaker open or half-open.
   */
  private storageDown(task: TaskRecord, item: TaskItem): boolean {
    for (const p of this.touched(task, item)) {
      const mount = this.fs.mountOf(p);
      if (!mount) continue;
      const state = mount.status().state;
      if (state === 'pending' || state === 'error' || mount.guard.state() !== 'closed') return true;
    }
    return false;
  }

  /** Whether a storage this item touches refuses its credentials or is disabled. */
  private refused(task: TaskRecord, item: TaskItem): boolean {
    for (const p of this.touched(task, item)) {
      const state = this.fs.mountOf(p)?.status().state;
      if (state === 'needs_reauth' || state === 'disabled') return true;
    }
    return false;
  }

  private async fill(): Promise<void> {
    while (this.slots() > 0 && !this.stopped) {
      const task = await this.store.claimPlanning(this.options.holder, this.options.leaseMs, undefined, this.handled());
      if (!task) break;
      this.planning++;
      this.track(this.plan(task).finally(() => this.planning--));
    }
    if (this.slots() <= 0) return;
    for (const task of await this.store.runnable(undefined, this.handled())) {
      while (this.slots() > 0 && !this.stopped) {
        if (this.mountBusy(this.mountKeys(task))) break;
        const item = await this.store.claimItem(task.id, this.options.holder, this.options.leaseMs);
        if (!item) break;
        const run: Running = { task, item, bytes: 0, abort: new AbortController(), mounts: this.mountKeys(task, item) };
        this.running.set(item.id, run);
        this.track(this.execute(run));
      }
      if (this.slots() <= 0) return;
    }
  }

  private retryAt(attempts: number, err: unknown): Date | undefined {
    const transient = isUpstreamFailure(err) && !isFsError(err, 'unauthorized_upstream') && !isFsError(err, 'aborted');
    const flagged = isFsError(err) && err.retryable;
    if (!(transient || flagged) || attempts >= this.options.maxAttempts) return undefined;
    const backoff = Math.min(300_000, this.options.retryBaseMs * 2 ** (attempts - 1));
    const after = isFsError(err) ? (err.retryAfterMs ?? 0) : 0;
    return new Date(Date.now() + Math.max(backoff, after));
  }

  private async plan(task: TaskRecord): Promise<void> {
    const abort = new AbortController();
    const stop = () => abort.abort();
    this.lifetime.signal.addEventListener('abort', stop, { once: true });
    try {
      const onBatch = async (items: Parameters<TaskStore['addItems']>[1]) => {
        await this.store.addItems(task.id, items);
        if (!(await this.store.renewTask(task.id, this.options.holder, this.options.leaseMs))) abort.abort();
      };
      const handler = this.kinds.get(task.kind);
      if (handler) await handler.plan(task, onBatch, abort.signal);
      else if (task.kind === 'upload') await onBatch(await planUpload(task));
      else await planTree(this.fs, task.src, (items) => onBatch([...items]), abort.signal);
      if (await this.store.finishPlanning(task.id, this.options.holder)) {
        this.logger.info({ task: task.id, kind: task.kind }, 'task planned');
        // An empty source tree has nothing to run: it is done at once.
        await this.settleIfDrained(task);
      }
    } catch (err) {
      if (abort.signal.aborted) return;
      const retryAt = this.retryAt(task.attempts, err);
      await this.store.planningFailed(task.id, this.options.holder, message(err), retryAt);
      this.logger.warn({ task: task.id, err: message(err), retry: retryAt?.toISOString() ?? null }, 'task planning failed');
    } finally {
      this.lifetime.signal.removeEventListener('abort', stop);
      this.wake();
    }
  }

  private async execute(run: Running): Promise<void> {
    const { task, item } = run;
    try {
      const handler = this.kinds.get(task.kind);
      const runItem = task.kind === 'upload' ? runUploadItem : runTransferItem;
      const onBytes = (b: number) => (run.bytes = b);
      const outcome = handler
        ? await handler.run(task, item, {
            signal: run.abort.signal,
            onBytes,
            onSize: (size) => this.store.resize(task.id, item.id, size),
            onStatus: (status) => this.store.setStatus(task.id, status),
          })
        : await runItem(this.fs, task, item, onBytes, run.abort.signal);
      if (await this.store.itemDone(item.id, this.options.holder, outcome.skipped)) await this.settleIfDrained(task);
    } catch (err) {
      if (run.abort.signal.aborted) {
        // Stopped: by cancel (the item is canceled), by shutdown (handed back), or the lease was lost.
        if (!this.stopped) {
          const states = await this.store.taskStates([task.id]);
          if (states.get(task.id) === TaskState.Canceling) await this.store.itemCanceled(item.id, this.options.holder);
          await this.settleIfDrained(task);
        }
      } else if (
        this.kinds.get(task.kind)?.waits?.(err) ||
        (this.storageDown(task, item) && !this.refused(task, item) && isUpstreamFailure(err) && !isFsError(err, 'unauthorized_upstream'))
      ) {
        // The storage (or a kind's peer, such as a download tool) is failing as a whole: wait for it without spending the item's attempts.
        const after = isFsError(err) ? (err.retryAfterMs ?? 0) : 0;
        const retryAt = new Date(Date.now() + Math.max(this.options.retryBaseMs, after));
        await this.store.itemPostponed(item.id, this.options.holder, message(err), retryAt);
      } else {
        // A storage that refuses its credentials waits for an administrator, not for time: fail now, with the cause.
        const retryAt = this.refused(task, item) ? undefined : this.retryAt(item.attempts, err);
        await this.store.itemFailed(item.id, this.options.holder, message(err), retryAt);
        this.logger.warn({ task: task.id, item: item.rel, err: message(err), retry: retryAt?.toISOString() ?? null }, 'task item failed');
        if (!retryAt) await this.settleIfDrained(task);
      }
    } finally {
      this.running.delete(item.id);
      this.wake();
    }
  }

  private async settleIfDrained(task: TaskRecord): Promise<void> {
    if (!(await this.store.drained(task.id))) {
      await this.store.recount(task.id);
      return;
    }
    await this.store.recount(task.id);
    const now = await this.store.get(task.id);
    if (!now || isFinal(now.state)) return;
    if (task.kind === 'move' && now.failedItems === 0 && now.state === TaskState.Running) {
      const folders = (await this.store.items(task.id)).filter((i) => i.isDir && !i.skipped).map((i) => i.rel);
      try {
        await removeMovedFolders(this.fs, task, folders);
      } catch (err) {
        this.logger.warn({ task: task.id, err: message(err) }, 'moved folders could not be removed');
      }
    }
    if (now.failedItems === 0 && now.state === TaskState.Running && this.options.afterSuccess) {
      try {
        await this.options.afterSuccess(task);
      } catch (err) {
        this.logger.warn({ task: task.id, err: message(err) }, 'after-task work failed');
      }
    }
    const final = await this.store.settle(task.id);
    if (final) this.logger.info({ task: task.id, kind: task.kind, state: final.state, error: final.error || undefined }, 'task finished');
    const handler = this.kinds.get(task.kind);
    if (final && handler?.settled) {
      try {
        await handler.settled(final);
      } catch (err) {
        this.logger.warn({ task: task.id, err: message(err) }, 'after-task work failed');
      }
    }
  }

  /** Renews leases with progress; stops items whose lease was lost or whose task is being cancelled. */
  private async renew(): Promise<void> {
    if (this.running.size === 0 || this.stopped) return;
    try {
      const progress = new Map([...this.running.entries()].map(([id, r]) => [id, r.bytes]));
      const held = await this.store.renewItems(this.options.holder, progress, this.options.leaseMs);
      const states = await this.store.taskStates([...new Set([...this.running.values()].map((r) => r.task.id))]);
      for (const [id, r] of this.running) {
        if (!held.has(id) || states.get(r.task.id) === TaskState.Canceling) r.abort.abort();
      }
      for (const id of new Set([...this.running.values()].map((r) => r.task.id))) await this.store.recount(id);
    } catch (err) {
      this.logger.warn({ err: message(err) }, 'task leases could not be renewed');
    }
  }
}
