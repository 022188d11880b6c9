import type { FastifyPluginAsync } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { MOUNT_STATES } from '../../core/mount.js';
import { eventLoopMetrics } from '../../observability/event-loop.js';
import { TASK_KINDS, TaskState } from '../../tasks/states.js';
import type { AppDeps } from '../deps.js';
import { observerCheck } from './observer.js';


/**
 * `/metrics` in Prometheus text format: process figures (event-loop delay and utilisation among
 * them, see observability/event-loop.ts) and, per mount, state, sockets and calls.
 * Mount paths are not public: an administrator's credential or the metrics token is required.
 */
export function metricsRoutes(deps: AppDeps): FastifyPluginAsync {
  const mayObserve = observerCheck(deps);
  return async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'filebridge_' });
    eventLoopMetrics(registry, 'filebridge_');
    const mounts = () => deps.mounts.list().map((info) => ({ info, mount: deps.mounts.get(info.spec.id) }));
    const labels = ['mount', 'driver'] as const;
    new Gauge({
      name: 'filebridge_mount_state',
      help: 'Mount state: 1 for the state the mount is in',
      labelNames: [...labels, 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { info } of mounts()) {
          for (const state of MOUNT_STATES) this.set({ mount: info.spec.mountPath, driver: info.spec.driverId, state }, info.status.state === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'filebridge_mount_connections',
      help: 'Upstream connections held by the mount, by kind (open, idle, busy, queued requests)',
      labelNames: [...labels, 'kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { info, mount } of mounts()) {
          const c = mount?.connections() ?? { open: 0, idle: 0, busy: 0, queued: 0 };
          for (const [kind, v] of Object.entries(c)) this.set({ mount: info.spec.mountPath, driver: info.spec.driverId, kind }, v);
        }
      },
    });
    new Gauge({
      name: 'filebridge_mount_requests_in_flight',
      help: 'Driver calls running now',
      labelNames: labels,
      registers: [registry],
      collect() {
        this.reset();
        for (const { info, mount } of mounts()) this.set({ mount: info.spec.mountPath, driver: info.spec.driverId }, mount?.counters.inflight ?? 0);
      },
    });
    new Gauge({
      name: 'filebridge_mount_upstream_errors',
      help: 'Driver calls that failed because of the upstream, since the mount started',
      labelNames: labels,
      registers: [registry],
      collect() {
        this.reset();
        for (const { info, mount } of mounts()) this.set({ mount: info.spec.mountPath, driver: info.spec.driverId }, mount?.counters.upstreamErrors ?? 0);
      },
    });
    const stateNames = Object.fromEntries(Object.entries(TaskState).map(([name, n]) => [n, name]));
    // One read of the task tables per scrape, shared by the task gauges below.
    let taskStats: Promise<Awaited<ReturnType<typeof deps.tasks.store.stats>>> | undefined;
    const tasks = () => (taskStats ??= deps.tasks.store.stats().finally(() => setTimeout(() => (taskStats = undefined), 0)));
    new Gauge({
      name: 'filebridge_tasks',
      help: 'Tasks by kind and state',
      labelNames: ['kind', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        const all = await tasks();
        for (const kind of TASK_KINDS) for (const [n, name] of Object.entries(stateNames)) this.set({ kind, state: name }, all.filter((t) => t.kind === kind && String(t.state) === n).length);
      },
    });
    new Gauge({
      name: 'filebridge_task_bytes_done',
      help: 'Bytes moved by the tasks in the queue (done and running), by kind',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        this.reset();
        const all = await tasks();
        for (const kind of TASK_KINDS) this.set({ kind }, all.filter((t) => t.kind === kind).reduce((n, t) => n + t.doneBytes, 0));
      },
    });
    new Gauge({
      name: 'filebridge_task_retries',
      help: 'Item attempts beyond the first, over the tasks in the queue',
      registers: [registry],
      async collect() {
        this.set((await tasks()).reduce((n, t) => n + t.retries, 0));
      },
    });
    new Gauge({
      name: 'filebridge_task_queue_depth',
      help: 'Task items waiting to run, by target mount',
      labelNames: ['mount'],
      registers: [registry],
      async collect() {
        this.reset();
        const depth = new Map<string, number>();
        for (const t of await tasks()) {
          const mount = deps.fs.mountOf(t.dst)?.path ?? 'unknown';
          depth.set(mount, (depth.get(mount) ?? 0) + t.queued);
        }
        for (const [mount, n] of depth) this.set({ mount }, n);
      },
    });
    app.get('/metrics', async (req, reply) => {
      if (!(await mayObserve(req))) {
        return reply
          .code(401)
          .header('WWW-Authenticate', 'Bearer realm="filebridge metrics"')
          .type('text/plain; charset=utf-8')
          .send('401 an administrator credential or the metrics token is required\n');
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  };
}
