import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { DavAuth } from './auth.js';
import { type DavOptions, type DavRequest, pathFromUrl, toVirtual } from './context.js';
import { copyOrMove } from './copy-move.js';
import { sendError } from './errors.js';
import { lock, unlock } from './lock-methods.js';
import { DavLocks } from './locks.js';
import { propfind } from './propfind.js';
import { proppatch } from './proppatch.js';
import { DAV_HEADERS, DAV_METHODS, getOrHead, options } from './read-methods.js';
import { del, mkcol, put } from './write-methods.js';

type Handler = (dav: DavRequest, reply: FastifyReply, locks: DavLocks) => Promise<unknown>;

const HANDLERS: Record<string, Handler> = {
  GET: getOrHead,
  HEAD: getOrHead,
  PUT: put,
  DELETE: del,
  MKCOL: mkcol,
  COPY: copyOrMove,
  MOVE: copyOrMove,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  LOCK: lock,
  UNLOCK: unlock,
};

/** Methods fastify does not know by default; all may carry a body. */
const EXTRA_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'] as const;

export function davOptions(deps: AppDeps): DavOptions {
  return {
    prefix: deps.config.webdav_prefix.replace(/\/+$/, '') || '/dav',
    propfindInfinity: deps.config.webdav_propfind_infinity,
    infinityLimit: 100_000,
    renderCache: new WeakMap(),
  };
}

/** The WebDAV front door (RFC 4918 classes 1 and 2) at the configured prefix, over core only. */
export function webdavRoutes(deps: AppDeps, overrides: Partial<DavOptions> = {}) {
  const opts: DavOptions = { ...davOptions(deps), ...overrides };
  const auth = new DavAuth(deps);
  const locks = new DavLocks(deps.repos.davLocks);

  async function handle(req: FastifyRequest, reply: FastifyReply) {
    reply.headers(DAV_HEADERS);
    try {
      const userPath = pathFromUrl(req.raw.url ?? '', opts.prefix);
      if (req.method === 'OPTIONS') return options(reply);
      const handler = HANDLERS[req.method];
      if (!handler) return reply.code(405).send();
      const { principal, password } = await auth.authenticate(req);
      const dav: DavRequest = { deps, options: opts, req, principal, password, path: toVirtual(principal, userPath) };
      return await handler(dav, reply, locks);
    } catch (err) {
      return sendError(reply, err);
    }
  }

  return async (app: FastifyInstance) => {
    for (const m of EXTRA_METHODS) {
      if (!app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
    }
    await app.register(async (dav) => {
      dav.removeAllContentTypeParsers();
      // Bodies stay streams: PUT pipes them to the storage with back-pressure; XML bodies are read with a cap.
      dav.addContentTypeParser('*', (_req, _payload, done) => done(null));
      const method = ['OPTIONS', ...DAV_METHODS.filter((m) => m !== 'OPTIONS')];
      dav.route({ method, url: opts.prefix, handler: handle });
      dav.route({ method, url: `${opts.prefix}/*`, handler: handle });
    });
  };
}
