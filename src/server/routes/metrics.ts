import type { FastifyPluginAsync } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppDeps } from '../app.js';
import { observerCheck } from './observer.js';

const STATES = ['pending', 'ready', 'error', 'needs_reauth', 'disabled'] as const;

/**
 * `/metrics` in Prometheus text format: process figures and, per mount, state, sockets and calls.
 * Mount paths are not public: an administrator's credential or the metrics token is required.
 */
export function metricsRoutes(deps: AppDeps): FastifyPluginAsync {
  const mayObserve = observerCheck(deps);
  return async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'filebridge_' });
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
          for (const state of STATES) this.set({ mount: info.spec.mountPath, driver: info.spec.driverId, state }, info.status.state === state ? 1 : 0);
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
