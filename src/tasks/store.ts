import { sql } from '../db/kysely.js';
import type { Db, Engine } from '../db/client.js';
import { type TaskKind, TaskState, type TaskStateValue, UNDONE_STATES } from './states.js';
import { CLAIMABLE_ITEM, type ItemRow, type NewTask, type PlannedItem, type TDb, type TaskItem, type TaskItemsTable, type TaskRecord, type TasksTable, date, iso, newId, num, toItem, toTask } from './records.js';

export type { NewTask, PlannedItem, TaskItem, TaskOptions, TaskRecord } from './records.js';

export interface TaskFilter {
  kind?: TaskKind;
  states?: readonly number[];
  creatorId?: number;
}

/**
 * Tasks and their items on either engine. Every state change is one guarded statement, so two
 * instances (or a restarted one) never both act on the same item: a claim succeeds only when the
 * item is unclaimed or its lease lapsed, and on PostgreSQL claimers skip rows another one locks.
 */
export class TaskStore {
  private readonly db: TDb;

  constructor(
    db: Db,
    private readonly engine: Engine,
  ) {
    // The task tables are this module's own (migration 20261203010000_tasks).
    this.db = db as unknown as TDb;
  }

  async create(input: NewTask, now = new Date()): Promise<TaskRecord> {
    const row: TasksTable = {
      id: input.id ?? newId(),
      kind: input.kind,
      name: input.name,
      creator_id: input.creator.id,
      creator_name: input.creator.name,
      creator_role: input.creator.role,
      state: TaskState.Pending,
      status: 'queued',
      src: input.src,
      dst: input.dst,
      options: JSON.stringify(input.options),
      planned: 0,
      total_bytes: 0,
      done_bytes: 0,
      total_items: 0,
      done_items: 0,
      failed_items: 0,
      attempts: 0,
      error: '',
      claimed_by: null,
      lease_until: null,
      retry_at: null,
      created_at: iso(now),
      started_at: null,
      ended_at: null,
    };
    await this.db.insertInto('tasks').values(row).execute();
    return toTask(row);
  }

  /**
   * Creates the task with the fixed id `input.id` unless it exists; either way returns it. A step
   * that makes a follow-up task (a download's transfer) can run again after a crash without
   * making a second one.
   */
  async createOnce(input: NewTask & { id: string }): Promise<TaskRecord> {
    const existing = await this.get(input.id);
    if (existing) return existing;
    try {
      return await this.create(input);
    } catch (err) {
      const raced = await this.get(input.id);
      if (raced) return raced;
      throw err;
    }
  }

  /** A task's item learned its size (a download): the item and the task's total follow. */
  async resize(taskId: string, itemId: number, size: number): Promise<void> {
    await this.db.updateTable('task_items').set({ size }).where('id', '=', itemId).where('task_id', '=', taskId).execute();
    await sql`update tasks set total_bytes = coalesce((select sum(size) from task_items where task_id = ${taskId}), 0) where id = ${taskId}`.execute(this.db);
  }

  /** What a running task is doing now, in words (a cancel or a final state is never overwritten). */
  async setStatus(taskId: string, status: string): Promise<void> {
    await this.db.updateTable('tasks').set({ status }).where('id', '=', taskId).where('state', '=', TaskState.Running).execute();
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const r = await this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toTask(r) : undefined;
  }

  async list(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    let q = this.db.selectFrom('tasks').selectAll();
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.states) q = q.where('state', 'in', [...filter.states]);
    if (filter.creatorId !== undefined) q = q.where('creator_id', '=', filter.creatorId);
    const rows = await q.orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(toTask);
  }

  /** Items of a task (for tests, the CLI and the task's detail view). */
  async items(taskId: string): Promise<(TaskItem & { state: number; skipped: boolean; error: string; doneBytes: number })[]> {
    const rows = await this.db.selectFrom('task_items').selectAll().where('task_id', '=', taskId).orderBy('id').execute();
    return rows.map((r) => ({ ...toItem(r), state: r.state, skipped: r.skipped === 1, error: r.error, doneBytes: num(r.done_bytes) }));
  }

  /** Claims one task whose tree is not planned yet (new, or its planner died or must retry). */
  async claimPlanning(holder: string, leaseMs: number, now = new Date(), kinds?: readonly string[]): Promise<TaskRecord | undefined> {
    const until = iso(new Date(now.getTime() + leaseMs));
    const t = iso(now);
    const lock = this.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const only = kinds ? sql`and kind in (${sql.join(kinds.map((k) => sql`${k}`))})` : sql``;
    const result = await sql<TasksTable>`
      update tasks set claimed_by = ${holder}, lease_until = ${until}, state = ${TaskState.Running},
        status = 'planning', started_at = coalesce(started_at, ${t}), attempts = attempts + 1
      where id = (
        select id from tasks
        where planned = 0 and state in (${TaskState.Pending}, ${TaskState.Running}, ${TaskState.WaitingRetry})
          and (lease_until is null or lease_until <= ${t}) and (retry_at is null or retry_at <= ${t}) ${only}
        order by created_at limit 1 ${lock}
      ) and planned = 0 and (lease_until is null or lease_until <= ${t})
      returning *`.execute(this.db);
    const row = result.rows[0];
    return row ? toTask(row) : undefined;
  }

  /** Adds planned items; items already there (a planner that died half-way) are kept as they are. */
  async addItems(taskId: string, items: readonly PlannedItem[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((i) => ({
      task_id: taskId,
      rel: i.rel,
      is_dir: i.isDir ? 1 : 0,
      size: i.size,
      mtime: i.mtime ? iso(i.mtime) : null,
      state: TaskState.Pending,
      done_bytes: 0,
      attempts: 0,
      error: '',
      skipped: 0,
    }));
    await this.db
      .insertInto('task_items')
      .values(rows)
      .onConflict((oc) => oc.columns(['task_id', 'rel']).doNothing())
      .execute();
  }

  /** Marks the tree planned (only by the planner that holds the task) and counts it. */
  async finishPlanning(taskId: string, holder: string): Promise<boolean> {
    const totals = await this.db
      .selectFrom('task_items')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string>('size').as('bytes')])
      .where('task_id', '=', taskId)
      .executeTakeFirstOrThrow();
    const r = await this.db
      .updateTable('tasks')
      .set({ planned: 1, claimed_by: null, lease_until: null, status: 'running', total_items: num(totals.n), total_bytes: num(totals.bytes) })
      .where('id', '=', taskId)
      .where('claimed_by', '=', holder)
      .where('state', '=', TaskState.Running)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Keeps the planner's lease on a task alive; false when it lost it (or the task was cancelled). */
  async renewTask(taskId: string, holder: string, leaseMs: number, now = new Date()): Promise<boolean> {
    const r = await this.db
      .updateTable('tasks')
      .set({ lease_until: iso(new Date(now.getTime() + leaseMs)) })
      .where('id', '=', taskId)
      .where('claimed_by', '=', holder)
      .where('state', '=', TaskState.Running)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Planning failed: retry later, or fail the task for good. */
  async planningFailed(taskId: string, holder: string, error: string, retryAt: Date | undefined, now = new Date()): Promise<void> {
    await this.db
      .updateTable('tasks')
      .set(
        retryAt
          ? { state: TaskState.WaitingRetry, status: 'waiting retry', error, retry_at: iso(retryAt), claimed_by: null, lease_until: null }
          : { state: TaskState.Failed, status: 'failed', error, claimed_by: null, lease_until: null, ended_at: iso(now) },
      )
      .where('id', '=', taskId)
      .where('claimed_by', '=', holder)
      .execute();
  }

  /** Ids of planned, running tasks that may have items to claim, oldest first. */
  async runnable(now = new Date(), kinds?: readonly string[]): Promise<TaskRecord[]> {
    const t = iso(now);
    let q = this.db.selectFrom('tasks').selectAll();
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    const rows = await q
      .where('planned', '=', 1)
      .where('state', '=', TaskState.Running)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('task_items')
            .select('task_items.id')
            .whereRef('task_items.task_id', '=', 'tasks.id')
            .where('task_items.state', 'in', CLAIMABLE_ITEM)
            .where((e) => e.or([e('task_items.lease_until', 'is', null), e('task_items.lease_until', '<=', t)]))
            .where((e) => e.or([e('task_items.retry_at', 'is', null), e('task_items.retry_at', '<=', t)])),
        ),
      )
      .orderBy('created_at')
      .execute();
    return rows.map(toTask);
  }

  /** Claims the next item of a running task: unclaimed, or its holder's lease lapsed. */
  async claimItem(taskId: string, holder: string, leaseMs: number, now = new Date()): Promise<TaskItem | undefined> {
    const until = iso(new Date(now.getTime() + leaseMs));
    const t = iso(now);
    const lock = this.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const states = sql.join(CLAIMABLE_ITEM.map((s) => sql`${s}`));
    const result = await sql<ItemRow>`
      update task_items set claimed_by = ${holder}, lease_until = ${until}, state = ${TaskState.Running},
        attempts = attempts + 1, done_bytes = 0
      where id = (
        select id from task_items
        where task_id = ${taskId} and state in (${states})
          and (lease_until is null or lease_until <= ${t}) and (retry_at is null or retry_at <= ${t})
        order by is_dir desc, id limit 1 ${lock}
      ) and state in (${states}) and (lease_until is null or lease_until <= ${t})
      returning *`.execute(this.db);
    const row = result.rows[0];
    return row ? toItem(row) : undefined;
  }

  /** Extends the leases of items this holder runs and records their bytes so far; returns the ones still held. */
  async renewItems(holder: string, progress: ReadonlyMap<number, number>, leaseMs: number, now = new Date()): Promise<Set<number>> {
    const until = iso(new Date(now.getTime() + leaseMs));
    const held = new Set<number>();
    for (const [id, bytes] of progress) {
      const r = await this.db
        .updateTable('task_items')
        .set({ lease_until: until, done_bytes: bytes })
        .where('id', '=', id)
        .where('claimed_by', '=', holder)
        .where('state', '=', TaskState.Running)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) held.add(id);
    }
    return held;
  }

  /**
   * Hands this holder's claims back to the queue (on shutdown, and at start for claims a killed
   * run of the same holder left): interrupted items go back to pending without spending an attempt.
   */
  async release(holder: string): Promise<void> {
    await this.db
      .updateTable('task_items')
      .set((eb) => ({
        state: TaskState.Pending,
        claimed_by: null,
        lease_until: null,
        done_bytes: 0,
        attempts: eb.case().when('attempts', '>', 0).then(eb('attempts', '-', 1)).else(0).end(),
      }))
      .where('claimed_by', '=', holder)
      .where('state', '=', TaskState.Running)
      .execute();
    await this.db.updateTable('tasks').set({ claimed_by: null, lease_until: null }).where('claimed_by', '=', holder).execute();
  }

  /** The item is done (or skipped by the conflict policy); false when this holder had lost it. */
  async itemDone(id: number, holder: string, skipped: boolean): Promise<boolean> {
    const r = await this.db
      .updateTable('task_items')
      .set((eb) => ({ state: TaskState.Succeeded, skipped: skipped ? 1 : 0, done_bytes: eb.ref('size'), claimed_by: null, lease_until: null, error: '' }))
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .where('state', '=', TaskState.Running)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The item failed: waits until `retryAt`, or fails for good. */
  async itemFailed(id: number, holder: string, error: string, retryAt: Date | undefined): Promise<void> {
    await this.db
      .updateTable('task_items')
      .set(
        retryAt
          ? { state: TaskState.WaitingRetry, retry_at: iso(retryAt), error, claimed_by: null, lease_until: null, done_bytes: 0 }
          : { state: TaskState.Failed, error, claimed_by: null, lease_until: null, done_bytes: 0 },
      )
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .execute();
  }

  /**
   * The item could not run because its storage is failing as a whole (its breaker is open): it
   * waits until `retryAt` without spending an attempt, so an outage does not fail the task.
   */
  async itemPostponed(id: number, holder: string, error: string, retryAt: Date): Promise<void> {
    await this.db
      .updateTable('task_items')
      .set((eb) => ({
        state: TaskState.WaitingRetry,
        retry_at: iso(retryAt),
        error,
        claimed_by: null,
        lease_until: null,
        done_bytes: 0,
        attempts: eb.case().when('attempts', '>', 0).then(eb('attempts', '-', 1)).else(0).end(),
      }))
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .execute();
  }

  /** Recounts a task's bytes and items from its items (after items change). */
  async recount(taskId: string): Promise<void> {
    await sql`
      update tasks set
        done_bytes = coalesce((select sum(done_bytes) from task_items where task_id = ${taskId}), 0),
        done_items = (select count(*) from task_items where task_id = ${taskId} and state = ${TaskState.Succeeded}),
        failed_items = (select count(*) from task_items where task_id = ${taskId} and state = ${TaskState.Failed})
      where id = ${taskId}`.execute(this.db);
  }

  /** Whether every item of a planned task has reached a final state. */
  async drained(taskId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('task_items')
      .select('id')
      .where('task_id', '=', taskId)
      .where('state', 'in', CLAIMABLE_ITEM)
      .limit(1)
      .executeTakeFirst();
    return r === undefined;
  }

  /**
   * Gives a drained task its final state: failed when an item failed (with the first error),
   * canceled when it was being cancelled, else succeeded. One guarded statement: of several
   * instances settling at once, one wins.
   */
  async settle(taskId: string, now = new Date()): Promise<TaskRecord | undefined> {
    await this.recount(taskId);
    const firstError = await this.db
      .selectFrom('task_items')
      .select(['rel', 'error'])
      .where('task_id', '=', taskId)
      .where('state', '=', TaskState.Failed)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    const claimable = sql.join(CLAIMABLE_ITEM.map((s) => sql`${s}`));
    const error = firstError ? `${firstError.rel === '' ? '' : `${firstError.rel}: `}${firstError.error}` : '';
    const result = await sql<TasksTable>`
      update tasks set
        state = case when state = ${sql.lit(TaskState.Canceling)} then ${sql.lit(TaskState.Canceled)}
                     when failed_items > 0 then ${sql.lit(TaskState.Failed)} else ${sql.lit(TaskState.Succeeded)} end,
        status = case when state = ${sql.lit(TaskState.Canceling)} then 'canceled'
                      when failed_items > 0 then 'failed' else 'succeeded' end,
        error = ${error}, ended_at = ${iso(now)}, claimed_by = null, lease_until = null
      where id = ${taskId} and planned = 1 and state in (${TaskState.Running}, ${TaskState.Canceling})
        and not exists (select 1 from task_items where task_id = ${taskId} and state in (${claimable}))
      returning *`.execute(this.db);
    const row = result.rows[0];
    return row ? toTask(row) : undefined;
  }

  /**
   * Cancels a task that is not final: items not yet done become canceled; running items are
   * stopped by their runner when it next renews its lease (it sees the task canceling).
   */
  async cancel(id: string, now = new Date()): Promise<boolean> {
    const r = await this.db
      .updateTable('tasks')
      .set({ state: TaskState.Canceling, status: 'canceling' })
      .where('id', '=', id)
      .where('state', 'in', [...UNDONE_STATES])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.db
      .updateTable('task_items')
      .set({ state: TaskState.Canceled, claimed_by: null, lease_until: null })
      .where('task_id', '=', id)
      .where('state', 'in', [TaskState.Pending, TaskState.WaitingRetry])
      .execute();
    // A task still planning, or with nothing running, is final at once.
    const planned = await this.get(id);
    const running = await this.db.selectFrom('task_items').select('id').where('task_id', '=', id).where('state', '=', TaskState.Running).limit(1).executeTakeFirst();
    if (planned && (!planned.planned || running === undefined)) {
      await this.recount(id);
      await this.db
        .updateTable('tasks')
        .set({ state: TaskState.Canceled, status: 'canceled', ended_at: iso(now), claimed_by: null, lease_until: null })
        .where('id', '=', id)
        .where('state', '=', TaskState.Canceling)
        .execute();
    }
    return true;
  }

  /** The states of the tasks owning these items, so runners stop items of cancelled tasks. */
  async taskStates(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('tasks').select(['id', 'state']).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, r.state]));
  }

  /** A running item of a cancelled task was stopped. */
  async itemCanceled(id: number, holder: string): Promise<void> {
    await this.db
      .updateTable('task_items')
      .set({ state: TaskState.Canceled, claimed_by: null, lease_until: null, done_bytes: 0 })
      .where('id', '=', id)
      .where('claimed_by', '=', holder)
      .execute();
  }

  /** Runs a failed or cancelled task again: its unfinished items are queued, finished ones kept. */
  async retry(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('tasks')
      .set((eb) => ({
        state: eb.case().when('planned', '=', 1).then(TaskState.Running).else(TaskState.Pending).end(),
        status: 'queued',
        error: '',
        retry_at: null,
        ended_at: null,
        claimed_by: null,
        lease_until: null,
      }))
      .where('id', '=', id)
      .where('state', 'in', [TaskState.Failed, TaskState.Canceled])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.db
      .updateTable('task_items')
      .set({ state: TaskState.Pending, attempts: 0, error: '', retry_at: null, claimed_by: null, lease_until: null })
      .where('task_id', '=', id)
      .where('state', 'in', [TaskState.Failed, TaskState.Canceled])
      .execute();
    await this.recount(id);
    return true;
  }

  /** Deletes final tasks (with their items); a task still running is kept. */
  async delete(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const final = [TaskState.Succeeded, TaskState.Canceled, TaskState.Failed];
    const doomed = await this.db.selectFrom('tasks').select('id').where('id', 'in', [...ids]).where('state', 'in', final).execute();
    const list = doomed.map((d) => d.id);
    if (list.length === 0) return 0;
    await this.db.deleteFrom('task_items').where('task_id', 'in', list).execute();
    await this.db.deleteFrom('tasks').where('id', 'in', list).execute();
    return list.length;
  }

  /**
   * Per task not yet deleted: its kind, state, target, bytes done, items still queued and retries
   * spent (attempts beyond the first), for metrics.
   */
  async stats(): Promise<{ kind: string; state: number; dst: string; doneBytes: number; queued: number; retries: number }[]> {
    const rows = await sql<{ kind: string; state: number; dst: string; done_bytes: number | string; queued: number | string | null; retries: number | string | null }>`
      select t.kind, t.state, t.dst, t.done_bytes,
        (select count(*) from task_items i where i.task_id = t.id and i.state in (${sql.lit(TaskState.Pending)}, ${sql.lit(TaskState.WaitingRetry)})) as queued,
        (select coalesce(sum(case when i.attempts > 1 then i.attempts - 1 else 0 end), 0) from task_items i where i.task_id = t.id) as retries
      from tasks t`.execute(this.db);
    return rows.rows.map((r) => ({ kind: r.kind, state: r.state, dst: r.dst, doneBytes: num(r.done_bytes), queued: num(r.queued), retries: num(r.retries) }));
  }

  /** Items-per-state counts of every task, for metrics. */
  async countsByState(): Promise<{ kind: string; state: number; n: number }[]> {
    const rows = await this.db
      .selectFrom('tasks')
      .select((eb) => ['kind', 'state', eb.fn.countAll<number | string>().as('n')])
      .groupBy(['kind', 'state'])
      .execute();
    return rows.map((r) => ({ kind: r.kind, state: r.state, n: num(r.n) }));
  }
}
