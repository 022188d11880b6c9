import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { MountManager } from '../core/mount-manager.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import { healthRoutes } from './routes/health.js';

/** What the HTTP server needs; built by main.ts, or by a test. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  fs: VirtualFs;
  mounts: MountManager;
  /** Resolves when the database answers. */
  checkDatabase(): Promise<void>;
}

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request lines are logged at debug level by the hook below, not at info.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.body_limit,
    // Slow or idle clients cannot hold sockets forever.
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    requestTimeout: 0,
    http: { headersTimeout: 60_000 },
    routerOptions: { ignoreDuplicateSlashes: true, maxParamLength: 4096 },
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  await app.register(healthRoutes(deps));
  return app;
}
