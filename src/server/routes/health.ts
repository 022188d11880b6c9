import type { FastifyPluginAsync } from 'fastify';
import { type MountHealth, mountHealth } from '../../observability/health.js';
import type { AppDeps } from '../deps.js';
import { observerCheck } from './observer.js';

/**
 * `/ping` (AList's liveness check), `/healthz` (process alive) and `/readyz`: 200 or 503 (database
 * down) for anyone, with the database error and every mount (paths, states, errors) only for an
 * administrator or the metrics token.
 */
export function healthRoutes(deps: AppDeps): FastifyPluginAsync {
  const mayObserve = observerCheck(deps);
  return async (app) => {
    app.get('/ping', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('pong'));
    app.get('/healthz', async () => ({ status: 'ok', uptime_s: Math.round(process.uptime()) }));
    app.get('/readyz', async (req, reply) => {
      const details = await mayObserve(req);
      const mounts = deps.mounts.list().map((info) => mountHealth(info, deps.mounts.get(info.spec.id)));
      try {
        await deps.checkDatabase();
      } catch (err) {
        return reply.code(503).send(details ? { status: 'unavailable', database: (err as Error).message, mounts } : { status: 'unavailable' });
      }
      const status = mounts.some(failing) ? 'degraded' : 'ok';
      return details ? { status, database: 'ok', mounts } : { status };
    });
  };
}

function failing(m: MountHealth): boolean {
  return m.state === 'error' || m.state === 'needs_reauth' || m.state === 'degraded';
}
