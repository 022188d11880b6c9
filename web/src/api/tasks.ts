import { useQueries, useQueryClient } from '@tanstack/react-query';
import { get, post } from './client';

import type { TaskInfo, TaskKind } from '../../../src/wire/tasks.js';

// The task engine's shapes and numbers, declared once on the server (src/wire/tasks.ts).
export { FINAL_STATES, TASK_KINDS, TaskState, isFinal } from '../../../src/wire/tasks.js';
export type { TaskInfo, TaskKind, TransferReply } from '../../../src/wire/tasks.js';

/** Kinds shown even when they have no task. */
export const BASE_KINDS: readonly TaskKind[] = ['copy', 'move'];

export type TaskAction = 'cancel' | 'delete' | 'retry';
export type TaskBulk = 'clear_done' | 'clear_succeeded' | 'retry_failed';

const base = (kind: TaskKind) => `/api/task/${kind}`;

export const taskApi = {
  undone: (kind: TaskKind) => get<TaskInfo[] | null>(`${base(kind)}/undone`).then((l) => l ?? []),
  done: (kind: TaskKind) => get<TaskInfo[] | null>(`${base(kind)}/done`).then((l) => l ?? []),
  info: (kind: TaskKind, id: string) => post<TaskInfo>(`${base(kind)}/info?tid=${encodeURIComponent(id)}`),
  act: (kind: TaskKind, action: TaskAction, id: string) => post(`${base(kind)}/${action}?tid=${encodeURIComponent(id)}`),
  /** Resolves with the ids that failed and why (empty when all went through). */
  actSome: (kind: TaskKind, action: TaskAction, ids: string[]) => post<Record<string, string> | null>(`${base(kind)}/${action}_some`, ids).then((r) => r ?? {}),
  bulk: (kind: TaskKind, what: TaskBulk) => post(`${base(kind)}/${what}`),
};

/** undone, done, or both of one kind fetched together (the tasks page's board). */
export type TaskList = 'undone' | 'done' | 'board';
export const taskKey = (kind: TaskKind, list: TaskList) => ['tasks', kind, list] as const;

/** The undone list of every kind, each its own query (the shell's badge and the tasks page share them). */
export function useUndoneTasks(kinds: readonly TaskKind[], options: { interval: number | false; enabled?: boolean }) {
  return useQueries({
    queries: kinds.map((kind) => ({
      queryKey: taskKey(kind, 'undone'),
      queryFn: () => taskApi.undone(kind),
      enabled: options.enabled ?? true,
      refetchInterval: options.interval,
      refetchIntervalInBackground: false,
      staleTime: 500,
      retry: false,
    })),
  });
}

/** Makes every task list fetch again (after an action or after tasks were created). */
export function useRefreshTasks() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['tasks'] });
}
