import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { isFsError } from '../../core/errors.js';
import { joinPath, parentPath } from '../../core/paths.js';
import type { VEntry } from '../../core/virtual-fs.js';
import type { AppDeps } from '../deps.js';
import { type SharePath, allow, apiUrl, encodePath, looseBool, looseInt, parseInput, principal, sharePathOf, userPath } from './context.js';
import { ApiError, ok } from './errors.js';
import { ListingPages } from './listing-pages.js';
import { ObjectMapper, type Signer, signer } from './objects.js';

const ListReq = z.object({
  path: z.string().default('/'),
  password: z.string().default(''),
  page: looseInt.default(1),
  per_page: looseInt.default(0),
  refresh: looseBool.default(false),
});
const GetReq = z.object({ path: z.string().default('/'), password: z.string().default('') });
const DirsReq = z.object({ path: z.string().default('/'), password: z.string().default(''), force_root: looseBool.default(false) });
const SearchReq = z.object({
  parent: z.string().default('/'),
  keywords: z.string().min(1, 'is required'),
  scope: looseInt.default(0),
  page: looseInt.default(1),
  per_page: looseInt.default(0),
  password: z.string().default(''),
});

/** OpenList's answer (404) while `search_index` is `none`. */
export const SEARCH_NOT_AVAILABLE = 'search not available';

/** How /api/fs/list and /api/fs/get answer for a share's path. */
export interface ShareReads {
  shareList(req: FastifyRequest, at: SharePath): Promise<unknown>;
  shareGet(req: FastifyRequest, at: SharePath): Promise<unknown>;
}

export function fsReadRoutes(deps: AppDeps, shares: ShareReads) {
  const sign: Signer = signer(deps.settings, deps.gate);

  const pages = new ListingPages();
  const objects = new ObjectMapper(deps.settings);

  /** A folder's listing as the storage gave it (sorted), after the gate allowed this principal to list it. */
  async function folder(req: FastifyRequest, p: Principal, path: string, password: string, refresh: boolean, guess = true): Promise<{ sorted: readonly VEntry[]; provider: string; stale?: Date }> {
    allow(deps, req, p, { action: 'list', path, password, guess });
    if (refresh) deps.gate.require(p, { door: 'api', action: 'refresh', path, password }, () => new ApiError(403, 'Refresh without permission'));
    let listing;
    try {
      listing = await deps.fs.list(path, { refresh });
    } catch (err) {
      if (isFsError(err, 'not_found')) throw notFoundError(deps, path, 'failed get objs: failed get dir: object not found');
      throw err;
    }
    return { sorted: objects.sort(listing.entries, deps.fs.mountOf(path)?.spec.policy), provider: listing.provider, stale: listing.stale };
  }

  /** A folder's visible entries for this principal, after meta password and hide rules. */
  async function visibleList(req: FastifyRequest, p: Principal, path: string, password: string, refresh: boolean, guess = true): Promise<{ entries: VEntry[]; provider: string; stale?: Date }> {
    const { sorted, provider, stale } = await folder(req, p, path, password, refresh, guess);
    const visible = deps.gate.visibleIn(p, path);
    return { entries: sorted.filter((e) => visible(e.name)), provider, stale };
  }

  return async (app: FastifyInstance) => {
    app.all('/api/fs/list', { config: { sharePaths: true } }, async (req, reply) => {
      const at = sharePathOf(req);
      if (at) return shares.shareList(req, at);
      const p = principal(req);
      const body = parseInput(ListReq, req);
      const path = userPath(p, body.path);
      const { sorted, provider, stale } = await folder(req, p, path, body.password, body.refresh);
      // Beside AList's fields, which clients ignore: the listing is the last good one, from `stale`.
      if (stale) reply.header('X-Filebridge-Stale', stale.toISOString());
      const mount = deps.fs.mountOf(path)?.spec;
      const page = Math.max(1, body.page);
      const seesHidden = deps.gate.seesHidden(p);
      const view = { seesHidden, page, perPage: Math.max(0, body.per_page), settings: deps.settings.revision, rules: deps.gate.revision, mount };
      const { content, total } = pages.page(sorted, view, () => {
        const visible = deps.gate.visibleIn(p, path);
        const entries = seesHidden ? sorted : sorted.filter((e) => visible(e.name));
        const slice = body.per_page < 1 ? entries : entries.slice((page - 1) * body.per_page, page * body.per_page);
        let signed = false;
        const listed = slice.map((e) => {
          const s = e.isDir ? '' : sign.signFor(e.path, mount);
          if (s) signed = true;
          return objects.toObject(e, s);
        });
        return { content: JSON.stringify(listed), total: entries.length, signed };
      });
      const folderView = deps.gate.folderView(p, path);
      // The envelope around the serialized page, field for field what ok({...}) would give.
      const rest = JSON.stringify({
        readme: folderView.readme,
        header: folderView.header,
        write: folderView.write,
        provider,
        ...(stale ? { stale: true, stale_since: stale.toISOString(), stale_reason: deps.fs.mountOf(path)?.status().error ?? '' } : {}),
      });
      reply.type('application/json; charset=utf-8');
      return `{"code":200,"message":"success","data":{"content":${content},"total":${total},${rest.slice(1)}}`;
    });

    app.all('/api/fs/get', { config: { sharePaths: true } }, async (req, reply) => {
      const at = sharePathOf(req);
      if (at) return shares.shareGet(req, at);
      const p = principal(req);
      const body = parseInput(GetReq, req);
      const path = userPath(p, body.path);
      allow(deps, req, p, { action: 'read', path, password: body.password });
      let e: VEntry;
      try {
        e = await deps.fs.stat(path);
      } catch (err) {
        if (isFsError(err, 'not_found')) throw notFoundError(deps, path, 'failed get obj: object not found');
        throw err;
      }
      const mount = deps.fs.mountOf(path)?.spec;
      const s = e.isDir ? '' : sign.signFor(path, mount);
      const view = deps.gate.folderView(p, path);
      if (e.stale) reply.header('X-Filebridge-Stale', 'true');
      return ok({
        ...(e.stale ? { stale: true } : {}),
        ...objects.toObject(e, s),
        raw_url: e.isDir ? '' : await rawUrl(deps, req, path, s),
        readme: view.readme,
        header: view.header,
        provider: e.provider,
        related: null,
      });
    });

    app.all('/api/fs/dirs', async (req) => {
      const p = principal(req);
      const body = parseInput(DirsReq, req);
      const path = body.force_root && deps.gate.isAdmin(p) ? joinPath('/', body.path) : userPath(p, body.path);
      const { entries } = await visibleList(req, p, path, body.password, false);
      return ok(entries.filter((e) => e.isDir).map((e) => ({ name: e.name, modified: e.mtime?.toISOString() ?? '0001-01-01T00:00:00Z' })));
    });

    app.all('/api/fs/search', async (req) => {
      // As OpenList's SearchIndex middleware: checked before the body.
      if (deps.settings.get('search_index') === 'none') throw new ApiError(404, SEARCH_NOT_AVAILABLE);
      const p = principal(req);
      const body = parseInput(SearchReq, req);
      const root = userPath(p, body.parent);
      allow(deps, req, p, { action: 'list', path: root, password: body.password });
      // From the index only (src/search), as the gate lets this principal see it: never a walk of the storages.
      const request = { root, keywords: body.keywords, scope: body.scope, page: body.page, perPage: body.per_page };
      const { hits, total } = await deps.search.search(request, deps.gate.searchView(p, root, body.password));
      const base = p.user.basePath === '/' ? '' : p.user.basePath;
      const content = hits.map((e) => ({
        parent: e.parent.slice(base.length) || '/',
        name: e.name,
        is_dir: e.isDir,
        size: e.isDir ? 0 : e.size,
        type: objects.type(e.name, e.isDir),
      }));
      return ok({ content, total });
    });
  };
}

function notFoundError(deps: AppDeps, path: string, message: string): ApiError {
  if (!deps.fs.resolve(path) && path !== '/') return new ApiError(500, `failed get storage: storage not found; rawPath: ${path}`);
  return new ApiError(500, message);
}

/**
 * raw_url as AList gives it: the storage's direct link, or this server's /p link when it must
 * proxy, on `content_origin` when one is set (user content kept off the UI's origin).
 */
async function rawUrl(deps: AppDeps, req: FastifyRequest, path: string, sign: string): Promise<string> {
  const mount = deps.fs.mountOf(path)?.spec;
  const base = deps.settings.contentOrigin() || apiUrl(deps, req);
  const proxied = `${base}/p${encodePath(path)}${sign ? `?sign=${encodeURIComponent(sign)}` : ''}`;
  if (!mount || mount.facts.proxyOnly || mount.policy.webProxy) return proxied;
  try {
    const link = await deps.fs.link(path);
    return link && !link.headers ? link.url : proxied;
  } catch {
    return proxied;
  }
}
