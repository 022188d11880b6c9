import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { FINAL_STATES, TASK_KINDS, TaskState, type TaskKind, UNDONE_STATES } from '../../tasks/states.js';
import type { TaskRecord } from '../../tasks/store.js';
import { dropStaged } from '../../tasks/upload.js';
import type { AppDeps } from '../deps.js';
import { principal } from './context.js';
import { ApiError, ok } from './errors.js';
import type { TaskInfo } from '../../wire/tasks.js';

export type { TaskInfo } from '../../wire/tasks.js';

export function taskInfo(t: TaskRecord, liveBytes = 0): TaskInfo {
  const done = Math.min(t.totalBytes, Math.max(t.doneBytes, liveBytes));
  let progress: number;
  if (t.state === TaskState.Succeeded) progress = 100;
  else if (!t.planned) progress = 0;
  else if (t.totalBytes > 0) progress = (done / t.totalBytes) * 100;
  else progress = t.totalItems > 0 ? (t.doneItems / t.totalItems) * 100 : 100;
  return {
    id: t.id,
    name: t.name,
    creator: t.creatorName,
    creator_role: t.creatorRole,
    state: t.state,
    status: t.status,
    progress: Math.round(progress * 100) / 100,
    start_time: t.startedAt?.toISOString() ?? null,
    end_time: t.endedAt?.toISOString() ?? null,
    total_bytes: t.totalBytes,
    error: t.error,
  };
}

const Ids = z.array(z.string());

const NOT_FOUND = 'task not found';

/**
 * `/api/task/<kind>/...` and the `/api/admin/task/<kind>/...` aliases, as OpenList: non-admins
 * see and act on their own tasks only, and a task of someone else is "task not found" (404), so
 * ids cannot be probed.
 */
export function taskRoutes(deps: AppDeps) {
  const { store, runner } = deps.tasks;
  const info = (t: TaskRecord) => taskInfo(t, runner.liveBytes(t.id));

  async function mine(p: Principal, kind: TaskKind, states: readonly number[]): Promise<TaskRecord[]> {
    const all = await store.list({ kind, states, creatorId: deps.gate.isAdmin(p) ? undefined : p.user.id });
    return all.filter((t) => deps.gate.mayTouchTask(p, t.creatorId, false));
  }

  async function target(req: FastifyRequest, kind: TaskKind, change: boolean): Promise<TaskRecord> {
    const tid = (req.query as Record<string, unknown>).tid;
    const t = typeof tid === 'string' && tid !== '' ? await store.get(tid) : undefined;
    if (!t || t.kind !== kind || !deps.gate.mayTouchTask(principal(req), t.creatorId, false)) throw new ApiError(404, NOT_FOUND);
    if (change && !deps.gate.mayTouchTask(principal(req), t.creatorId, true)) throw new ApiError(403, 'a read-only token cannot change tasks');
    return t;
  }

  async function act(t: TaskRecord, action: 'cancel' | 'delete' | 'retry'): Promise<void> {
    if (action === 'cancel') await store.cancel(t.id);
    else if (action === 'delete') {
      // A task still running is cancelled first; it is deleted once it has stopped.
      if (!FINAL_STATES.includes(t.state)) await store.cancel(t.id);
      if ((await store.delete([t.id])) > 0) await dropStaged(t);
    } else await store.retry(t.id);
    runner.wake();
  }

  return async (app: FastifyInstance) => {
    const user = { config: { auth: 'user' as const } };
    // One route per action with the kind as a parameter that matches the known kinds only (any
    // other is no route, as before): a route per kind made the task API half the server's routes,
    // and fastify's start-up time grows with their number.
    const kindParam = `:kind(^(?:${TASK_KINDS.join('|')})$)`;
    const kindOf = (req: FastifyRequest) => (req.params as { kind: TaskKind }).kind;
    for (const prefix of ['/api/task', '/api/admin/task']) {
      const base = `${prefix}/${kindParam}`;
      app.get(`${base}/undone`, user, async (req) => ok((await mine(principal(req), kindOf(req), UNDONE_STATES)).map(info)));
      app.get(`${base}/done`, user, async (req) => ok((await mine(principal(req), kindOf(req), FINAL_STATES)).map(info)));
      app.post(`${base}/info`, user, async (req) => ok(info(await target(req, kindOf(req), false))));
      for (const action of ['cancel', 'delete', 'retry'] as const) {
        app.post(`${base}/${action}`, user, async (req) => {
          await act(await target(req, kindOf(req), true), action);
          return ok();
        });
        app.post(`${base}/${action}_some`, user, async (req) => {
          const kind = kindOf(req);
          const p = principal(req);
          const parsed = Ids.safeParse(req.body);
          if (!parsed.success) throw new ApiError(400, 'invalid request format');
          const ids = parsed.data;
          const errors: Record<string, string> = {};
          for (const id of ids) {
            const t = await store.get(id);
            if (!t || t.kind !== kind || !deps.gate.mayTouchTask(p, t.creatorId, false)) errors[id] = NOT_FOUND;
            else if (!deps.gate.mayTouchTask(p, t.creatorId, true)) errors[id] = 'a read-only token cannot change tasks';
            else await act(t, action);
          }
          return ok(errors);
        });
      }
      const clear = (states: readonly number[]) => async (req: FastifyRequest) => {
        const p = principal(req);
        if (!deps.gate.mayTouchTask(p, p.user.id, true)) throw new ApiError(403, 'a read-only token cannot change tasks');
        const doomed = await mine(p, kindOf(req), states);
        await store.delete(doomed.map((t) => t.id));
        for (const t of doomed) await dropStaged(t);
        return ok();
      };
      app.post(`${base}/clear_done`, user, clear(FINAL_STATES));
      app.post(`${base}/clear_succeeded`, user, clear([TaskState.Succeeded]));
      app.post(`${base}/retry_failed`, user, async (req) => {
        const p = principal(req);
        if (!deps.gate.mayTouchTask(p, p.user.id, true)) throw new ApiError(403, 'a read-only token cannot change tasks');
        for (const t of await mine(p, kindOf(req), [TaskState.Failed])) await store.retry(t.id);
        runner.wake();
        return ok();
      });
    }
  };
}
