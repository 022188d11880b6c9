import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { normalizePath } from '../../core/paths.js';
import { IndexRefusal } from '../../search/search-index.js';
import type { AppDeps } from '../deps.js';
import { parseInput, looseInt } from './context.js';
import { ApiError, ok } from './errors.js';
import { SEARCH_NOT_AVAILABLE } from './fs-read.js';

const admin = { config: { auth: 'admin' as const } };
const UpdateReq = z.object({ paths: z.array(z.string()).default([]), max_depth: looseInt.default(0) });

/**
 * OpenList's index routes (server/handles/index.go), behind its SearchIndex middleware: 404
 * "search not available" while `search_index` is `none`. Crawls run in the background; these
 * only queue, stop or forget them and report progress.
 */
export function adminIndexRoutes(deps: AppDeps) {
  const index = deps.search;
  const on = () => {
    if (deps.settings.get('search_index') === 'none') throw new ApiError(404, SEARCH_NOT_AVAILABLE);
  };
  const refusals = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      if (err instanceof IndexRefusal) throw new ApiError(400, err.message);
      throw err;
    }
    return ok();
  };
  return async (app: FastifyInstance) => {
    app.post('/api/admin/index/build', admin, async () => {
      on();
      return refusals(() => index.build());
    });
    app.post('/api/admin/index/update', admin, async (req) => {
      on();
      const body = parseInput(UpdateReq, req);
      return refusals(() => index.update(body.paths.map((p) => normalizePath(p)), body.max_depth));
    });
    app.post('/api/admin/index/stop', admin, async () => {
      on();
      return refusals(() => index.stopCrawls());
    });
    app.post('/api/admin/index/clear', admin, async () => {
      on();
      return refusals(() => index.clear());
    });
    app.get('/api/admin/index/progress', admin, async () => {
      on();
      return ok(await index.progress());
    });
  };
}
