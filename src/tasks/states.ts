/**
 * Task states with AList/OpenList's numbers (reference §1.5): 0 pending, 1 running, 2 succeeded,
 * 3 canceling, 4 canceled, 5 errored (will retry), 6 failing, 7 failed, 8 waiting retry,
 * 9 before retry.
 */
export const TaskState = {
  Pending: 0,
  Running: 1,
  Succeeded: 2,
  Canceling: 3,
  Canceled: 4,
  Errored: 5,
  Failing: 6,
  Failed: 7,
  WaitingRetry: 8,
  BeforeRetry: 9,
} as const;

export type TaskStateValue = (typeof TaskState)[keyof typeof TaskState];

/** States a task does not leave by itself. */
export const FINAL_STATES: readonly TaskStateValue[] = [TaskState.Succeeded, TaskState.Canceled, TaskState.Failed];

/** States the runner still has work for. */
export const UNDONE_STATES: readonly TaskStateValue[] = [
  TaskState.Pending,
  TaskState.Running,
  TaskState.Canceling,
  TaskState.Errored,
  TaskState.Failing,
  TaskState.WaitingRetry,
  TaskState.BeforeRetry,
];

export function isFinal(state: number): boolean {
  return (FINAL_STATES as readonly number[]).includes(state);
}

/** The task kinds of AList's task routes; `copy` and `move` run on this engine today. */
export const TASK_KINDS = ['copy', 'move', 'upload', 'offline_download', 'offline_download_transfer', 'decompress', 'decompress_upload'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** What a file item does when its target exists; folders always merge. */
export const CONFLICT_POLICIES = ['overwrite', 'skip', 'skip_same', 'rename'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** AList's task name: `<kind> [<mount>](<path in the mount>) to [<mount>](<path in the mount>)`. */
export function taskName(kind: string, from: { mount: string; path: string } | string, to: { mount: string; path: string }): string {
  const part = (e: { mount: string; path: string }) => `[${e.mount}](${e.mount === '/' ? e.path : e.path.slice(e.mount.length) || '/'})`;
  return `${kind} ${typeof from === 'string' ? from : part(from)} to ${part(to)}`;
}
