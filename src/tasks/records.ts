/** The task tables' rows and the records the task store hands out, with the mapping between them. */
import { randomBytes } from 'node:crypto';
import type { Generated, Kysely } from 'kysely';
import { type ConflictPolicy, type TaskKind, TaskState, type TaskStateValue } from './states.js';

export interface TasksTable {
  id: string;
  kind: string;
  name: string;
  creator_id: number;
  creator_name: string;
  creator_role: number;
  state: number;
  status: string;
  src: string;
  dst: string;
  options: string;
  planned: number;
  total_bytes: number | string;
  done_bytes: number | string;
  total_items: number;
  done_items: number;
  failed_items: number;
  attempts: number;
  error: string;
  claimed_by: string | null;
  lease_until: string | null;
  retry_at: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

export interface TaskItemsTable {
  id: Generated<number>;
  task_id: string;
  rel: string;
  is_dir: number;
  size: number | string;
  mtime: string | null;
  state: number;
  done_bytes: number | string;
  attempts: number;
  error: string;
  skipped: number;
  claimed_by: string | null;
  lease_until: string | null;
  retry_at: string | null;
}

export interface TaskTables {
  tasks: TasksTable;
  task_items: TaskItemsTable;
}

export type TDb = Kysely<TaskTables>;
export type ItemRow = Omit<TaskItemsTable, 'id'> & { id: number };

export interface TaskOptions {
  conflict: ConflictPolicy;
  /** Offline downloads: the tool, the delete policy, and (transfers) the download task they came from. */
  offline?: { tool: string; deletePolicy: string; parent?: string };
}

export interface TaskRecord {
  id: string;
  kind: TaskKind;
  name: string;
  creatorId: number;
  creatorName: string;
  creatorRole: number;
  state: TaskStateValue;
  status: string;
  src: string;
  dst: string;
  options: TaskOptions;
  planned: boolean;
  totalBytes: number;
  doneBytes: number;
  totalItems: number;
  doneItems: number;
  failedItems: number;
  attempts: number;
  error: string;
  createdAt: Date;
  startedAt?: Date;
  endedAt?: Date;
}

export interface TaskItem {
  id: number;
  taskId: string;
  /** Path below the task's source ('' when the source is the item itself). */
  rel: string;
  isDir: boolean;
  size: number;
  mtime?: Date;
  attempts: number;
}

export interface NewTask {
  /** A fixed id, for tasks that must be made at most once (`createOnce`); random by default. */
  id?: string;
  kind: TaskKind;
  name: string;
  creator: { id: number; name: string; role: number };
  src: string;
  dst: string;
  options: TaskOptions;
}

export interface PlannedItem {
  rel: string;
  isDir: boolean;
  size: number;
  mtime?: Date;
}

export const CLAIMABLE_ITEM = [TaskState.Pending, TaskState.Running, TaskState.WaitingRetry];

export function num(v: number | string | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

export function date(v: string | null): Date | undefined {
  return v ? new Date(v) : undefined;
}

export function toTask(r: TasksTable): TaskRecord {
  return {
    id: r.id,
    kind: r.kind as TaskKind,
    name: r.name,
    creatorId: r.creator_id,
    creatorName: r.creator_name,
    creatorRole: r.creator_role,
    state: r.state as TaskStateValue,
    status: r.status,
    src: r.src,
    dst: r.dst,
    options: { conflict: 'overwrite', ...(JSON.parse(r.options) as Partial<TaskOptions>) },
    planned: r.planned === 1,
    totalBytes: num(r.total_bytes),
    doneBytes: num(r.done_bytes),
    totalItems: r.total_items,
    doneItems: r.done_items,
    failedItems: r.failed_items,
    attempts: r.attempts,
    error: r.error,
    createdAt: new Date(r.created_at),
    startedAt: date(r.started_at),
    endedAt: date(r.ended_at),
  };
}

export function toItem(r: ItemRow): TaskItem {
  return { id: r.id, taskId: r.task_id, rel: r.rel, isDir: r.is_dir === 1, size: num(r.size), mtime: date(r.mtime), attempts: r.attempts };
}

/** A short random id, as AList's task ids are short strings. */
export function newId(): string {
  return randomBytes(9).toString('base64url');
}

export const iso = (d: Date) => d.toISOString();

