import type { FastifyPluginAsync } from 'fastify';
import { mountHealth } from '../../observability/health.js';
import type { AppDeps } from '../app.js';

/** `/ping` (AList's liveness check), `/healthz` (process alive) and `/readyz` (database up; mounts listed). */
export function healthRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/ping', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('pong'));
    app.get('/healthz', async () => ({ status: 'ok', uptime_s: Math.round(process.uptime()) }));
    app.get('/readyz', async (_req, reply) => {
      const mounts = deps.mounts.list().map((info) => mountHealth(info, deps.mounts.get(info.spec.id)));
      try {
        await deps.checkDatabase();
      } catch (err) {
        return reply.code(503).send({ status: 'unavailable', database: (err as Error).message, mounts });
      }
      const failing = mounts.filter((m) => m.state === 'error' || m.state === 'needs_reauth' || m.state === 'degraded').length;
      return { status: failing > 0 ? 'degraded' : 'ok', database: 'ok', mounts };
    });
  };
}
