import cluster, { type Worker } from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';

/** Which of the N places a worker fills (1..N), passed in its environment. */
export const WORKER_SLOT_ENV = 'FILEBRIDGE_WORKER_SLOT';
/** Response header naming the worker that answered (its node:cluster id), when there are workers. */
export const WORKER_HEADER = 'x-filebridge-worker';

/** The `workers` setting as a number of processes: 0 is one per core. */
export function workerCount(setting: number, cores = availableParallelism()): number {
  return setting === 0 ? Math.max(1, cores) : setting;
}

export interface WorkerIdentity {
  /** node:cluster's id: new for every process forked, a replacement included. */
  id: number;
  /** 1..N: the place it fills; a replacement takes the slot of the worker it replaces. */
  slot: number;
}

/** This process's identity when it is a worker of `filebridge server` with workers > 1. */
export function currentWorker(env: NodeJS.ProcessEnv = process.env): WorkerIdentity | undefined {
  const worker = cluster.isWorker ? cluster.worker : undefined;
  if (!worker) return undefined;
  const slot = Number(env[WORKER_SLOT_ENV]);
  return { id: worker.id, slot: Number.isInteger(slot) && slot > 0 ? slot : worker.id };
}

/**
 * The task runner's holder name: each worker its own (claims are released by holder name at
 * start, so workers sharing one would take each other's), stable per slot, so a replacement
 * takes back what the worker it replaces left claimed.
 */
export function taskHolder(base: string, worker: WorkerIdentity | undefined): string {
  return worker ? `${base}#${worker.slot}` : base;
}

interface RequestEmitter {
  prependListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
}

/** Every response carries `X-Filebridge-Worker: <id>` (set before the app sees the request). */
export function tagResponses(server: RequestEmitter, worker: WorkerIdentity): void {
  const value = String(worker.id);
  server.prependListener('request', (_req, res) => res.setHeader(WORKER_HEADER, value));
}

/**
 * In a worker: runs `close` once on SIGTERM or SIGINT (repeats are ignored: the primary forwards
 * them and a terminal sends them to the whole group), or when the primary goes away (its IPC
 * channel closes; also on kill -9 of the primary). Resolves once closed; if closing takes longer
 * than `forceMs`, the process exits anyway.
 */
export function serveAsWorker(close: () => Promise<void>, options: { forceMs?: number; onError?: (err: unknown) => void } = {}): Promise<void> {
  // node:cluster exits a worker on the spot when the primary disappears; this lets it stop in
  // good order instead (requests in flight finish, task claims are released). If a Node version
  // ignores the flag, the worker still exits, only at once.
  if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      const force = setTimeout(() => process.exit(0), options.forceMs ?? 15_000);
      force.unref();
      void close()
        .catch((err: unknown) => options.onError?.(err))
        .finally(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('disconnect', stop);
          // The IPC channel keeps the process alive: let go of it, so the process ends.
          if (process.connected) process.disconnect();
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('disconnect', stop);
  });
}

export interface PrimaryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** One forked worker, as the supervisor sees it. */
export interface WorkerHandle {
  readonly id: number;
  readonly pid: number | undefined;
  kill(signal: NodeJS.Signals): void;
}

export interface SupervisorOptions {
  count: number;
  logger: PrimaryLogger;
  /** Starts a worker for `slot`; its `listening` and `exit` are reported back to the supervisor. */
  fork(slot: number): WorkerHandle;
  /** Delay before replacing a worker that died: `initialMs`, doubling per quick death up to `maxMs` (default 1 s, 30 s). */
  restart?: { initialMs: number; maxMs: number };
  /** A worker that lived this long was healthy: its replacement waits `initialMs` again (default 30 s). */
  stableMs?: number;
  /** Workers still running this long after a stop are killed (default 30 s). */
  stopTimeoutMs?: number;
  now?: () => number;
}

/** How long to wait before the `failures`-th replacement in a row (jittered: 75 to 100 %). */
export function restartDelay(failures: number, restart: { initialMs: number; maxMs: number }, random = Math.random): number {
  const base = Math.min(restart.maxMs, restart.initialMs * 2 ** Math.min(Math.max(0, failures - 1), 30));
  return Math.round(base * (0.75 + random() / 4));
}

interface Slot {
  readonly slot: number;
  worker?: WorkerHandle;
  startedAt: number;
  failures: number;
  timer?: NodeJS.Timeout;
}

/**
 * The primary's bookkeeping, free of node:cluster (tests drive it): N slots, each with a worker.
 * The first worker starts alone (first-start work, such as creating the admin user and the default
 * storage, happens once) and the others once it listens. A worker that dies is replaced after a
 * backoff that grows while workers keep dying young, so a crash loop costs a fork every 30 s, not a
 * fork bomb. `stop` sends SIGTERM to every worker (SIGKILL after `stopTimeoutMs`, or on a second
 * stop); `done` resolves with the exit code once every worker is gone.
 */
export class Supervisor {
  private readonly slots: Slot[];
  private readonly byId = new Map<number, Slot>();
  private listened = false;
  private stopping = false;
  private exitCode = 0;
  private forceTimer: NodeJS.Timeout | undefined;
  private finish: (code: number) => void = () => undefined;
  readonly done: Promise<number>;

  constructor(private readonly options: SupervisorOptions) {
    this.slots = Array.from({ length: options.count }, (_, i) => ({ slot: i + 1, startedAt: 0, failures: 0 }));
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  start(): void {
    const first = this.slots[0];
    if (first) this.spawn(first);
  }

  listening(id: number, address: string): void {
    const slot = this.byId.get(id);
    if (!slot) return;
    this.options.logger.info({ worker: id, slot: slot.slot, pid: slot.worker?.pid, address }, 'worker listening');
    if (this.listened || this.stopping) return;
    this.listened = true;
    for (const s of this.slots) if (!s.worker && !s.timer) this.spawn(s);
  }

  exited(id: number, code: number | null, signal: string | null): void {
    const slot = this.byId.get(id);
    if (!slot) return;
    this.byId.delete(id);
    const pid = slot.worker?.pid;
    slot.worker = undefined;
    const fields = { worker: id, slot: slot.slot, pid, code, signal };
    if (this.stopping) {
      this.options.logger.info(fields, 'worker stopped');
      this.finishIfEmpty();
      return;
    }
    if (!this.listened) {
      // Not one worker came up: the same failure as a single process that cannot start.
      this.options.logger.error(fields, 'the first worker exited before it listened: stopping');
      this.exitCode = 1;
      this.stop();
      return;
    }
    const now = (this.options.now ?? Date.now)();
    slot.failures = now - slot.startedAt >= (this.options.stableMs ?? 30_000) ? 1 : slot.failures + 1;
    const delayMs = restartDelay(slot.failures, this.options.restart ?? { initialMs: 1000, maxMs: 30_000 });
    this.options.logger.warn({ ...fields, restartInMs: delayMs }, 'worker exited: replacing it');
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!this.stopping) this.spawn(slot);
    }, delayMs);
  }

  /** SIGTERM to every worker; a second call (or `stopTimeoutMs` later) sends SIGKILL. */
  stop(): void {
    if (this.stopping) {
      this.killAll('SIGKILL');
      return;
    }
    this.stopping = true;
    for (const s of this.slots) clearTimeout(s.timer);
    this.killAll('SIGTERM');
    this.forceTimer = setTimeout(() => this.killAll('SIGKILL'), this.options.stopTimeoutMs ?? 30_000);
    this.forceTimer.unref();
    this.finishIfEmpty();
  }

  /** The workers running now. */
  workers(): WorkerHandle[] {
    return this.slots.flatMap((s) => (s.worker ? [s.worker] : []));
  }

  private spawn(slot: Slot): void {
    let worker: WorkerHandle;
    try {
      worker = this.options.fork(slot.slot);
    } catch (err) {
      this.options.logger.error({ err, slot: slot.slot }, 'could not start a worker');
      this.exitCode = 1;
      this.stop();
      return;
    }
    slot.worker = worker;
    slot.startedAt = (this.options.now ?? Date.now)();
    this.byId.set(worker.id, slot);
    this.options.logger.info({ worker: worker.id, slot: slot.slot, pid: worker.pid }, 'worker started');
  }

  private killAll(signal: NodeJS.Signals): void {
    for (const w of this.workers()) {
      try {
        w.kill(signal);
      } catch {
        // Already gone: its exit is on its way.
      }
    }
  }

  private finishIfEmpty(): void {
    if (this.byId.size > 0) return;
    clearTimeout(this.forceTimer);
    this.finish(this.exitCode);
  }
}

/**
 * The primary of `filebridge server` with workers > 1 (after migrations ran): forks the workers
 * with node:cluster (they share the listening socket), replaces those that die, forwards SIGTERM
 * and SIGINT as a stop of all of them, and resolves with the exit code once all are gone.
 */
export async function runPrimary(options: Omit<SupervisorOptions, 'fork'>): Promise<number> {
  const supervisor = new Supervisor({
    ...options,
    fork: (slot) => {
      const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
      return { id: worker.id, pid: worker.process.pid, kill: (signal) => worker.process.kill(signal) };
    },
  });
  const onListening = (worker: { id: number }, address: { address: string | null; port: number }) =>
    supervisor.listening(worker.id, `${address.address ?? ''}:${address.port}`);
  const onExit = (worker: Worker, code: number | null, signal: string | null) => {
    // A dead worker whose IPC channel is not closed yet would still be handed new connections
    // (node:cluster drops it from the round-robin only on disconnect): close it now.
    if (worker.isConnected()) worker.process.disconnect();
    supervisor.exited(worker.id, code, signal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    options.logger.info({ signal, workers: supervisor.workers().length }, 'stopping the workers');
    supervisor.stop();
  };
  cluster.on('listening', onListening);
  cluster.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  options.logger.info({ workers: options.count }, 'starting workers');
  supervisor.start();
  try {
    return await supervisor.done;
  } finally {
    cluster.off('listening', onListening);
    cluster.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
