import type { PlannedItem, TaskItem, TaskRecord } from './store.js';

/** What an item of a registered kind is given while it runs. */
export interface ItemContext {
  /** Stopped by cancel, by shutdown, or because the lease was lost. */
  signal: AbortSignal;
  /** Bytes done so far (recorded with the lease renewals). */
  onBytes(bytes: number): void;
  /** The item's size became known (a download learned it): the task's total follows. */
  onSize(bytes: number): Promise<void>;
  /** What the task is doing now, shown as its status (e.g. "[aria2]: active"). */
  onStatus(status: string): Promise<void>;
}

/**
 * A task kind built outside the runner (offline downloads): how its tree is planned into items,
 * how one item runs, which virtual paths it touches (for the per-storage limits and the breaker
 * waits), which errors mean "a peer is down as a whole, wait without spending attempts", and what
 * to do once a task of it reached a final state.
 */
export interface KindHandler {
  plan(task: TaskRecord, onBatch: (items: PlannedItem[]) => Promise<void>, signal: AbortSignal): Promise<void>;
  run(task: TaskRecord, item: TaskItem, ctx: ItemContext): Promise<{ skipped: boolean }>;
  touched(task: TaskRecord, item?: TaskItem): string[];
  waits?(err: unknown): boolean;
  settled?(task: TaskRecord): Promise<void>;
}
