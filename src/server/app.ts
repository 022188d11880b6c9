import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from './fastify.js';



import type { Config } from '../config/schema.js';
import { trustFunction } from '../config/trust-proxy.js';



import { apiRoutes } from './api/index.js';
import type { AppDeps } from './deps.js';
import { downloadRoutes } from './download/index.js';
import { sharedDownloadRoutes } from './download/shared.js';
import { BodyTimeouts } from './middleware/body-timeouts.js';
import { corsHook } from './middleware/cors.js';
import { forwardedHeaders } from './middleware/forwarded.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { spaFallback, webRoutes } from './web/index.js';
import { webdavRoutes } from './webdav/index.js';



/** Routes whose body is streamed to a storage: only the body idle deadline applies to them. */
function streamingRoute(config: Config) {
  const routes = new Set(['/api/fs/put', '/api/fs/form', config.webdav_prefix, `${config.webdav_prefix}/*`]);
  return (method: string, route: string | undefined) => method === 'PUT' && route !== undefined && routes.has(route);
}

/** Deadlines for bodies (idle, and whole-request except streamed uploads) and the connection cap. */
function guardConnections(app: FastifyInstance, config: Config): void {
  if (config.http_max_connections > 0) app.server.maxConnections = config.http_max_connections;
  const timeouts = new BodyTimeouts({
    requestTimeoutMs: config.http_request_timeout_ms,
    bodyIdleTimeoutMs: config.http_body_idle_timeout_ms,
    streaming: streamingRoute(config),
    logger: app.log,
  });
  if (!timeouts.enabled) return;
  app.addHook('onRequest', timeouts.onRequest);
  app.addHook('onClose', async () => timeouts.close());
}

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const trusted = trustFunction(deps.config.trust_proxy);
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request lines are logged at debug level by the hook below, not at info.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.body_limit,
    // Slow or idle clients cannot hold sockets forever: headers have a deadline here, bodies in
    // guardConnections (Node's requestTimeout would also cut long uploads).
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    requestTimeout: 0,
    http: { headersTimeout: 60_000 },
    // X-Forwarded-For/-Proto/-Host count only from trusted proxies (trust_proxy; off by default).
    trustProxy: deps.config.trust_proxy === false ? false : trusted,
    routerOptions: { ignoreDuplicateSlashes: true, maxParamLength: 4096 },
  });
  app.decorateRequest('principal', null);
  // First of all: what other processes changed (workers on SQLite) holds for this very request.
  const syncChanges = deps.syncChanges;
  if (syncChanges) app.addHook('onRequest', (_request, _reply) => syncChanges());
  guardConnections(app, deps.config);
  app.addHook('onRequest', forwardedHeaders(trusted));
  // Preflights are answered before any door authenticates them (OpenList's cors config).
  if (deps.config.cors.allow_origins.length > 0) app.addHook('onRequest', corsHook(deps.config.cors));
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
  await app.register(sharedDownloadRoutes(deps));
  await app.register(webdavRoutes(deps));
  await app.register(webRoutes(deps));
  return app;
}

export type { AppDeps } from './deps.js';
