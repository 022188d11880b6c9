/**
 * The task engine's words on the wire: AList/OpenList's state numbers and task kinds, and the
 * TaskInfo its task routes answer.
 *
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

export function isFinal(state: number): boolean {
  return (FINAL_STATES as readonly number[]).includes(state);
}

/** The task kinds of AList's task routes; `copy` and `move` run on this engine today. */
export const TASK_KINDS = ['copy', 'move', 'upload', 'offline_download', 'offline_download_transfer', 'decompress', 'decompress_upload'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** AList/OpenList's TaskInfo (reference §1.5), with OpenList's start_time, end_time and total_bytes. */
export interface TaskInfo {
  id: string;
  name: string;
  creator: string;
  creator_role: number;
  state: number;
  status: string;
  /** 0..100 */
  progress: number;
  start_time: string | null;
  end_time: string | null;
  total_bytes: number;
  error: string;
}

/** What /api/fs/copy and /api/fs/move answer: `tasks` when the work went to the task engine. */
export interface TransferReply {
  message: string;
  tasks?: TaskInfo[];
}
