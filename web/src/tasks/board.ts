import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef } from 'react';
import { BASE_KINDS, TASK_KINDS, type TaskInfo, type TaskKind, isFinal, taskApi, taskKey, useUndoneTasks } from '../api/tasks';
import { type Rate, SpeedMeter } from './speed';

export interface TaskRow extends TaskInfo {
  kind: TaskKind;
  rate: Rate;
}

interface Board {
  undone: TaskInfo[];
  done: TaskInfo[];
}

/** How often the page looks while a kind has undone tasks. */
export const LIVE_MS = 1_000;
/** How often it looks at a shown kind with nothing undone (a task started elsewhere may end between two looks). */
export const IDLE_MS = 5_000;

/** Live while a kind has undone tasks, slow for the other kinds shown, never for kinds not shown. */
function interval(kind: TaskKind, data: Board | undefined): number | false {
  if (!data) return false;
  if (data.undone.length > 0) return LIVE_MS;
  return BASE_KINDS.includes(kind) || data.done.length > 0 ? IDLE_MS : false;
}

/**
 * Undone first, then done: a task that finished in between is in `done` only, never in neither.
 * The undone list is handed to the shell's badge, whose own poll then waits (it restarts on every update).
 */
async function fetchBoard(kind: TaskKind, share: (undone: TaskInfo[]) => void): Promise<Board> {
  const listed = await taskApi.undone(kind);
  const done = await taskApi.done(kind);
  const finished = new Set(done.map((t) => t.id));
  const undone = listed.filter((t) => !finished.has(t.id));
  share(undone);
  return { undone, done };
}

function order(a: TaskRow, b: TaskRow): number {
  const fa = isFinal(a.state) ? 1 : 0;
  const fb = isFinal(b.state) ? 1 : 0;
  if (fa !== fb) return fa - fb;
  const ta = a.start_time ?? '9999';
  const tb = b.start_time ?? '9999';
  return ta === tb ? b.id.localeCompare(a.id) : tb.localeCompare(ta);
}

/**
 * Every kind's tasks for the tasks page. A kind is polled every second while it has undone tasks,
 * lightly when shown but idle, and never while the page is hidden; the shell's undone poll wakes
 * a kind at once when a new task appears in it.
 */
export function useTaskBoard() {
  const qc = useQueryClient();
  const meter = useRef(new SpeedMeter()).current;
  const boards = useQueries({
    queries: TASK_KINDS.map((kind) => ({
      queryKey: taskKey(kind, 'board'),
      queryFn: () => fetchBoard(kind, (undone) => qc.setQueryData(taskKey(kind, 'undone'), undone)),
      refetchInterval: (q: { state: { data?: Board } }) => interval(kind, q.state.data),
      refetchIntervalInBackground: false,
      staleTime: 0,
      retry: false,
    })),
  });
  const undone = useUndoneTasks(TASK_KINDS, { interval: false });

  // The shell's poll saw a task the board does not have yet: look now.
  const undoneSig = undone.map((q) => (q.data ?? []).map((t) => t.id).join(',')).join('|');
  useEffect(() => {
    TASK_KINDS.forEach((kind, i) => {
      const known = new Set(boards[i]?.data?.undone.map((t) => t.id));
      if (undone[i]?.data?.some((t) => !known.has(t.id))) void qc.invalidateQueries({ queryKey: taskKey(kind, 'board') });
    });
  }, [undoneSig]); // the signature stands for `undone`

  const stamp = boards.map((b) => b.dataUpdatedAt).join(',');
  const rows = useMemo(() => {
    const out: TaskRow[] = [];
    const live = new Set<string>();
    TASK_KINDS.forEach((kind, i) => {
      const b = boards[i];
      if (!b?.data) return;
      meter.observe(b.data.undone, b.dataUpdatedAt);
      for (const t of b.data.undone) live.add(t.id);
      for (const t of [...b.data.undone, ...b.data.done]) out.push({ ...t, kind, rate: isFinal(t.state) ? { speed: null, eta: null } : meter.rate(t) });
    });
    meter.keepOnly(live);
    return out.sort(order);
  }, [stamp]); // the fetch times stand for `boards`

  const kinds = TASK_KINDS.filter((k, i) => BASE_KINDS.includes(k) || (boards[i]?.data && boards[i].data.undone.length + boards[i].data.done.length > 0));
  const error = boards.find((b) => b.error)?.error ?? null;
  const loading = boards.some((b) => b.isPending);
  return { rows, kinds, error, loading };
}
