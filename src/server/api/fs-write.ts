import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuthMessages } from '../../auth/errors.js';
import { Perm } from '../../auth/permissions.js';
import { type Principal, can } from '../../auth/principal.js';
import { checkName, joinPath, parentPath } from '../../core/paths.js';
import type { AppDeps } from '../app.js';
import { looseBool, parseInput, principal as who, requirePerm, requireWriteScope, userPath } from './context.js';
import { ApiError, ok } from './errors.js';

const MkdirReq = z.object({ path: z.string().min(1, 'is required') });
const RenameReq = z.object({ path: z.string().min(1, 'is required'), name: z.string().min(1, 'is required'), overwrite: looseBool.default(false) });
const TransferReq = z.object({
  src_dir: z.string(),
  dst_dir: z.string(),
  names: z.array(z.string()),
  overwrite: looseBool.default(false),
  skip_existing: looseBool.default(false),
});
const RemoveReq = z.object({ dir: z.string(), names: z.array(z.string()) });
const BatchRenameReq = z.object({ src_dir: z.string(), rename_objects: z.array(z.object({ src_name: z.string(), new_name: z.string() })) });
const LinkReq = z.object({ path: z.string().min(1, 'is required') });

/** A name from a request, refused when it would leave its folder. */
function childName(name: string): string {
  if (name.includes('/') || name.includes('\\')) throw new ApiError(403, AuthMessages.relativePath);
  checkName(name);
  return name;
}

function names(list: string[]): string[] {
  if (list.length === 0) throw new ApiError(400, 'Empty file names');
  return list.map(childName);
}

export function fsWriteRoutes(deps: AppDeps) {
  const canWrite = (p: Principal, path: string) => deps.metas.canWrite(p, path);

  /** The caller, refused at once when its token may only read. */
  const principal = (req: Parameters<typeof who>[0]) => {
    const p = who(req);
    requireWriteScope(p);
    return p;
  };

  return async (app: FastifyInstance) => {
    const post = { config: { auth: 'guest' as const } };

    app.post('/api/fs/mkdir', post, async (req) => {
      const p = principal(req);
      const path = userPath(p, parseInput(MkdirReq, req).path);
      requirePerm(canWrite(p, parentPath(path)));
      await deps.fs.mkdir(path);
      return ok();
    });

    app.post('/api/fs/rename', post, async (req) => {
      const p = principal(req);
      const body = parseInput(RenameReq, req);
      const path = userPath(p, body.path);
      requirePerm(can(p, Perm.Rename));
      const target = joinPath(parentPath(path), childName(body.name));
      await deps.fs.move(path, target, { overwrite: body.overwrite });
      return ok();
    });

    app.post('/api/fs/batch_rename', post, async (req) => {
      const p = principal(req);
      const body = parseInput(BatchRenameReq, req);
      const dir = userPath(p, body.src_dir);
      requirePerm(can(p, Perm.Rename));
      for (const r of body.rename_objects) await deps.fs.move(joinPath(dir, childName(r.src_name)), joinPath(dir, childName(r.new_name)));
      return ok();
    });

    for (const [route, bit] of [['move', Perm.Move], ['copy', Perm.Copy]] as const) {
      app.post(`/api/fs/${route}`, post, async (req) => {
        const p = principal(req);
        const body = parseInput(TransferReq, req);
        const src = userPath(p, body.src_dir);
        const dst = userPath(p, body.dst_dir);
        requirePerm(can(p, bit));
        for (const name of names(body.names)) {
          const to = joinPath(dst, name);
          if (!body.overwrite && (await deps.fs.exists(to))) {
            if (body.skip_existing) continue;
            throw new ApiError(403, `file [${name}] exists`);
          }
          const run = route === 'move' ? deps.fs.move.bind(deps.fs) : deps.fs.copy.bind(deps.fs);
          await run(joinPath(src, name), to, { overwrite: body.overwrite });
        }
        return ok(route === 'copy' ? { tasks: [] } : null);
      });
    }

    app.post('/api/fs/remove', post, async (req) => {
      const p = principal(req);
      const body = parseInput(RemoveReq, req);
      const dir = userPath(p, body.dir);
      requirePerm(can(p, Perm.Remove));
      for (const name of names(body.names)) await deps.fs.remove(joinPath(dir, name), { recursive: true });
      return ok();
    });

    app.post('/api/fs/link', { config: { auth: 'admin' } }, async (req) => {
      const body = parseInput(LinkReq, req);
      const link = await deps.fs.link(joinPath('/', body.path));
      if (!link) throw new ApiError(405, 'storage serves files through this server only; no direct link');
      return ok({ url: link.url, header: link.headers ?? {}, expiration: link.expiresAt?.toISOString() ?? null });
    });
  };
}
