import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../auth/errors.js';
import { verifySign } from '../../auth/sign.js';
import { isFsError } from '../../core/errors.js';
import { isUpstreamFailure } from '../../core/guard.js';
import { decodePathComponent, normalizePath } from '../../core/paths.js';
import type { AppDeps } from '../deps.js';
import { API_CODES, ApiError } from '../api/errors.js';
import { serveFile } from '../http/serve-file.js';

type Door = 'd' | 'p';

/** The absolute virtual path of a /d or /p URL: the raw URL path, percent-decoded exactly once. */
function pathOf(req: FastifyRequest, door: Door): string {
  const raw = (req.raw.url ?? '').split('?')[0] ?? '';
  const rest = raw.slice(door.length + 1);
  return normalizePath(rest.split('/').map(decodePathComponent).join('/'));
}

function extOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(dot + 1).toLowerCase();
}

function redirect(reply: FastifyReply, url: string) {
  return reply
    .code(302)
    .header('Location', url)
    .header('Referrer-Policy', 'no-referrer')
    .header('Cache-Control', 'max-age=0, no-cache, no-store, must-revalidate')
    .send();
}

/** Errors on download routes: the real HTTP status, with the API envelope as the body. */
export function fail(reply: FastifyReply, err: unknown) {
  let status = 500;
  let message = 'internal error';
  if (err instanceof AuthError || err instanceof ApiError) [status, message] = [err.code, err.message];
  else if (isFsError(err)) [status, message] = [err.code === 'not_found' ? 404 : API_CODES[err.code], err.message];
  else reply.log.error({ err }, 'download failed');
  if (status < 400 || status > 599) status = 500;
  return reply.code(status).type('application/json; charset=utf-8').send({ code: status, message, data: null });
}

/** `/d/*` (302 to a direct link when the storage has one, else streamed) and `/p/*` (always streamed). */
export function downloadRoutes(deps: AppDeps) {
  const { settings, gate, fs } = deps;
  const needsSign = (path: string) => settings.bool('sign_all') || fs.mountOf(path)?.spec.policy.enableSign === true || gate.guarded(path);
  const listed = (key: string, ext: string) => ext !== '' && settings.get(key).split(',').includes(ext);

  async function handle(door: Door, req: FastifyRequest, reply: FastifyReply) {
    const path = pathOf(req, door);
    if (needsSign(path)) verifySign(settings.signKey(), path, (req.query as Record<string, unknown>).sign, Date.now(), gate.linkVersion(path));
    let entry;
    try {
      entry = await fs.stat(path);
    } catch (err) {
      // The storage is failing: a direct link still cached for this file keeps downloads working.
      const cached = door === 'd' && isUpstreamFailure(err) ? await fs.link(path).catch(() => undefined) : undefined;
      if (cached && !cached.headers) return redirect(reply, cached.url);
      throw err;
    }
    if (entry.isDir) throw new ApiError(400, 'cannot download a folder');
    const spec = fs.mountOf(path)?.spec;
    const mustProxy = !spec || spec.facts.proxyOnly || spec.policy.webProxy || listed('proxy_types', extOf(path));
    if (door === 'p' && !(mustProxy || spec?.policy.webdavPolicy === 'use_proxy_url' || listed('text_types', extOf(path)))) {
      throw new ApiError(403, 'proxy not allowed');
    }
    if (door === 'd' && !mustProxy) {
      const link = await fs.link(path).catch(() => undefined);
      if (link && !link.headers) return redirect(reply, link.url);
    }
    return serveFile(req, reply, {
      name: entry.name,
      size: entry.size,
      mtime: entry.mtime,
      open: (range, signal) => fs.read(path, { range, signal }),
    });
  }

  return async (app: FastifyInstance) => {
    for (const door of ['d', 'p'] as const) {
      app.route({
        method: ['GET', 'HEAD'],
        url: `/${door}/*`,
        handler: async (req, reply) => {
          try {
            return await handle(door, req, reply);
          } catch (err) {
            return fail(reply, err);
          }
        },
      });
    }
  };
}
