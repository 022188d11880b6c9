export { FINAL_STATES, TASK_KINDS, TaskState, type TaskKind, type TaskStateValue, isFinal } from '../wire/tasks.js';
import { TaskState, type TaskStateValue } from '../wire/tasks.js';

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

/** What a file item does when its target exists; folders always merge. */
export const CONFLICT_POLICIES = ['overwrite', 'skip', 'skip_same', 'rename'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** AList's task name: `<kind> [<mount>](<path in the mount>) to [<mount>](<path in the mount>)`. */
export function taskName(kind: string, from: { mount: string; path: string } | string, to: { mount: string; path: string }): string {
  const part = (e: { mount: string; path: string }) => `[${e.mount}](${e.mount === '/' ? e.path : e.path.slice(e.mount.length) || '/'})`;
  return `${kind} ${typeof from === 'string' ? from : part(from)} to ${part(to)}`;
}
