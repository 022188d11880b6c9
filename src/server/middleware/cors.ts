import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';

/** How long a browser may keep a preflight's answer (gin-contrib/cors's default, which OpenList uses: 12 hours). */
const MAX_AGE_S = 12 * 3600;

function allows(list: readonly string[], value: string, fold: (s: string) => string = (s) => s): boolean {
  return list.includes('*') || list.some((v) => fold(v) === fold(value));
}

function sameOrigin(req: FastifyRequest, origin: string): boolean {
  return origin === `${req.protocol}://${req.host}` || origin === `http://${req.headers.host ?? ''}` || origin === `https://${req.headers.host ?? ''}`;
}

/**
 * CORS as OpenList's `cors` config (`allow_origins`, `allow_methods`, `allow_headers`; `*` by
 * default), for every door. A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
 * answered here, 204, before any authentication; other requests from an allowed origin get
 * Access-Control-Allow-Origin. No credentials are allowed (tokens travel in Authorization). A
 * wildcard for methods or headers answers with what the preflight asked for, because browsers do
 * not let `*` stand for Authorization. Same-origin requests and requests without Origin (WebDAV
 * clients, scripts) are left alone; an empty `allow_origins` turns CORS off.
 */
export function corsHook(config: Config['cors']) {
  const { allow_origins: origins, allow_methods: methods, allow_headers: headers } = config;
  const anyOrigin = origins.includes('*');
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const origin = req.headers.origin;
    if (origins.length === 0 || typeof origin !== 'string' || origin === '' || sameOrigin(req, origin)) return;
    const askedMethod = req.headers['access-control-request-method'];
    const preflight = req.method === 'OPTIONS' && typeof askedMethod === 'string';
    if (!allows(origins, origin)) {
      if (preflight) await reply.code(403).send();
      return;
    }
    reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
    if (!anyOrigin) reply.header('vary', 'Origin');
    if (!preflight) return;
    if (!allows(methods, askedMethod, (s) => s.toUpperCase())) {
      await reply.code(403).send();
      return;
    }
    const askedHeaders = String(req.headers['access-control-request-headers'] ?? '');
    reply.header('access-control-allow-methods', methods.includes('*') ? askedMethod.toUpperCase() : methods.join(','));
    const allowHeaders = headers.includes('*') ? askedHeaders : headers.join(',');
    if (allowHeaders !== '') reply.header('access-control-allow-headers', allowHeaders);
    reply.header('access-control-max-age', String(MAX_AGE_S));
    await reply.code(204).send();
  };
}
