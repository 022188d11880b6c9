import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { ApiTokenService } from '../auth/api-token-service.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Gate } from '../auth/gate.js';
import type { MetaService } from '../auth/metas.js';
import type { Config } from '../config/schema.js';
import type { DriverCatalog } from '../core/driver-catalog.js';
import type { MountManager } from '../core/mount-manager.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import type { Repositories } from '../db/repositories/index.js';
import type { SettingsService } from '../settings/settings-service.js';
import { apiRoutes } from './api/index.js';
import { downloadRoutes } from './download/index.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { spaFallback, webRoutes } from './web/index.js';
import { webdavRoutes } from './webdav/index.js';

/** What the HTTP server needs; built by main.ts, or by a test. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  fs: VirtualFs;
  mounts: MountManager;
  auth: AuthService;
  apiTokens: ApiTokenService;
  settings: SettingsService;
  metas: MetaService;
  /** The one authorization gate every door asks before every operation. */
  gate: Gate;
  repos: Repositories;
  drivers: DriverCatalog;
  /** Resolves when the database answers. */
  checkDatabase(): Promise<void>;
}

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request lines are logged at debug level by the hook below, not at info.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.body_limit,
    // Slow or idle clients cannot hold sockets forever; uploads may take long, headers may not.
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    requestTimeout: 0,
    http: { headersTimeout: 60_000 },
    routerOptions: { ignoreDuplicateSlashes: true, maxParamLength: 4096 },
  });
  app.decorateRequest('principal', null);
  // A hook costs every request: installed only when its lines would be written.
  if (deps.logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', async (req, reply) => {
      req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    });
  }
  const spa = spaFallback(deps);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path.startsWith('/api/')) return reply.send({ code: 404, message: `no route ${req.method} ${path}`, data: null });
    if (spa.accepts(req.method, path)) return spa.send(reply);
    return reply.code(404).type('text/plain; charset=utf-8').send('not found');
  });
  await app.register(healthRoutes(deps));
  await app.register(metricsRoutes(deps));
  await app.register(apiRoutes(deps));
  await app.register(downloadRoutes(deps));
  await app.register(webdavRoutes(deps));
  await app.register(webRoutes(deps));
  return app;
}
