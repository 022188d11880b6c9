import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { compileHide } from '../../auth/metas.js';
import { normalizePath } from '../../core/paths.js';
import { ConflictError } from '../../db/errors.js';
import type { MetaInput, MetaRecord } from '../../db/repositories/index.js';
import type { AppDeps } from '../deps.js';
import { looseBool, looseInt, parseInput } from './context.js';
import { ApiError, ok } from './errors.js';

const admin = { config: { auth: 'admin' as const } };
const IdQuery = z.object({ id: looseInt });
const MetaBody = z.object({
  id: looseInt.optional(),
  path: z.string().min(1, 'is required'),
  password: z.string().default(''),
  p_sub: looseBool.default(false),
  write: looseBool.default(false),
  w_sub: looseBool.default(false),
  hide: z.string().default(''),
  h_sub: looseBool.default(false),
  readme: z.string().default(''),
  r_sub: looseBool.default(false),
  header: z.string().default(''),
  header_sub: looseBool.default(false),
});
type MetaBody = z.output<typeof MetaBody>;

function view(m: MetaRecord) {
  return {
    id: m.id, path: m.path, password: m.password, p_sub: m.pSub, write: m.write, w_sub: m.wSub,
    hide: m.hide, h_sub: m.hSub, readme: m.readme, r_sub: m.rSub, header: m.header, header_sub: m.headerSub,
  };
}

function toInput(b: MetaBody): MetaInput {
  const bad = compileHide(b.hide).error;
  if (bad) throw new ApiError(400, bad);
  return {
    path: normalizePath(b.path), password: b.password, pSub: b.p_sub, write: b.write, wSub: b.w_sub,
    hide: b.hide, hSub: b.h_sub, readme: b.readme, rSub: b.r_sub, header: b.header, headerSub: b.header_sub,
  };
}

export function adminMetaRoutes(deps: AppDeps) {
  const metas = deps.repos.metas;
  const conflict = (err: unknown) => {
    if (err instanceof ConflictError) throw new ApiError(400, 'a meta for this path already exists');
    throw err;
  };

  return async (app: FastifyInstance) => {
    app.get('/api/admin/meta/list', admin, async (req) => {
      const q = parseInput(z.object({ page: looseInt.default(0), per_page: looseInt.default(0) }), req);
      const { items, total } = await metas.list(q.page >= 1 && q.per_page >= 1 ? { page: q.page, perPage: q.per_page } : undefined);
      return ok({ content: items.map(view), total });
    });

    app.get('/api/admin/meta/get', admin, async (req) => {
      const m = await metas.get(parseInput(IdQuery, req).id);
      if (!m) throw new ApiError(400, 'meta not found');
      return ok(view(m));
    });

    app.post('/api/admin/meta/create', admin, async (req) => {
      const id = await metas.create(toInput(parseInput(MetaBody, req))).catch(conflict);
      await deps.metas.reload();
      return ok({ id });
    });

    app.post('/api/admin/meta/update', admin, async (req) => {
      const b = parseInput(MetaBody, req);
      if (b.id === undefined) throw new ApiError(400, 'id: is required');
      if (!(await metas.update(b.id, toInput(b)).catch(conflict))) throw new ApiError(400, 'meta not found');
      await deps.metas.reload();
      return ok();
    });

    app.post('/api/admin/meta/delete', admin, async (req) => {
      if (!(await metas.remove(parseInput(IdQuery, req).id))) throw new ApiError(400, 'meta not found');
      await deps.metas.reload();
      return ok();
    });
  };
}
