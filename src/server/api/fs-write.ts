import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuthMessages } from '../../auth/errors.js';
import { checkName, joinPath, parentPath } from '../../core/paths.js';
import { CONFLICT_POLICIES, type ConflictPolicy, taskName } from '../../tasks/states.js';
import type { AppDeps } from '../deps.js';
import { taskInfo } from './tasks.js';
import { allow, looseBool, parseInput, principal, userPath } from './context.js';
import { ApiError, ok } from './errors.js';

/** Beside AList's fields, each change takes the folder `password` of what it touches. */
const pw = z.string().default('');
const MkdirReq = z.object({ path: z.string().min(1, 'is required'), password: pw });
const RenameReq = z.object({ path: z.string().min(1, 'is required'), name: z.string().min(1, 'is required'), overwrite: looseBool.default(false), password: pw });
const TransferReq = z.object({
  src_dir: z.string(),
  dst_dir: z.string(),
  names: z.array(z.string()),
  overwrite: looseBool.default(false),
  skip_existing: looseBool.default(false),
  /** What a task does with files that exist at the target inside the tree (folders merge). */
  conflict: z.enum(CONFLICT_POLICIES).optional(),
  password: pw,
});
const RemoveReq = z.object({ dir: z.string(), names: z.array(z.string()), password: pw });
const BatchRenameReq = z.object({ src_dir: z.string(), rename_objects: z.array(z.object({ src_name: z.string(), new_name: z.string() })), password: pw });
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
  return async (app: FastifyInstance) => {
    const post = { config: { auth: 'guest' as const } };

    app.post('/api/fs/mkdir', post, async (req) => {
      const p = principal(req);
      const body = parseInput(MkdirReq, req);
      const path = userPath(p, body.path);
      allow(deps, req, p, { action: 'mkdir', path, password: body.password });
      await deps.fs.mkdir(path);
      return ok();
    });

    app.post('/api/fs/rename', post, async (req) => {
      const p = principal(req);
      const body = parseInput(RenameReq, req);
      const path = userPath(p, body.path);
      const target = joinPath(parentPath(path), childName(body.name));
      allow(deps, req, p, { action: 'rename', path, target, password: body.password });
      await deps.files.move(path, target, { overwrite: body.overwrite });
      return ok();
    });

    app.post('/api/fs/batch_rename', post, async (req) => {
      const p = principal(req);
      const body = parseInput(BatchRenameReq, req);
      const dir = userPath(p, body.src_dir);
      const pairs = body.rename_objects.map((r) => [joinPath(dir, childName(r.src_name)), joinPath(dir, childName(r.new_name))] as const);
      for (const [path, target] of pairs) allow(deps, req, p, { action: 'rename', path, target, password: body.password });
      for (const [path, target] of pairs) await deps.files.move(path, target);
      return ok();
    });

    for (const route of ['move', 'copy'] as const) {
      app.post(`/api/fs/${route}`, post, async (req) => {
        const p = principal(req);
        const body = parseInput(TransferReq, req);
        const src = userPath(p, body.src_dir);
        const dst = userPath(p, body.dst_dir);
        const list = names(body.names);
        for (const name of list) allow(deps, req, p, { action: route, path: joinPath(src, name), target: joinPath(dst, name), password: body.password });
        const conflict: ConflictPolicy = body.conflict ?? (body.skip_existing ? 'skip' : 'overwrite');
        const tasks = [];
        for (const name of list) {
          const from = joinPath(src, name);
          const to = joinPath(dst, name);
          // A target storage that cannot answer now does not stop a task from being queued for it.
          if (!body.overwrite && (await deps.fs.exists(to).catch(() => false))) {
            if (body.skip_existing) continue;
            throw new ApiError(403, `file [${name}] exists`);
          }
          const sm = deps.fs.mountOf(from);
          const tm = deps.fs.mountOf(to);
          if (sm && tm && sm !== tm) {
            // Across storages the work outlives the request: a durable task.
            await deps.fs.stat(from);
            const t = await deps.tasks.runner.submit({
              kind: route,
              name: taskName(route, { mount: sm.path, path: from }, { mount: tm.path, path: to }),
              creator: { id: p.user.id, name: p.user.username, role: p.user.role },
              src: from,
              dst: to,
              options: { conflict },
            });
            tasks.push(taskInfo(t));
            continue;
          }
          const run = route === 'move' ? deps.files.move.bind(deps.files) : deps.files.copy.bind(deps.files);
          await run(from, to, { overwrite: body.overwrite });
        }
        if (tasks.length > 0) return ok({ message: `Successfully created ${tasks.length} ${route} task(s)`, tasks });
        return ok({ message: `${route === 'copy' ? 'Copy' : 'Move'} operations completed immediately` });
      });
    }

    app.post('/api/fs/remove', post, async (req) => {
      const p = principal(req);
      const body = parseInput(RemoveReq, req);
      const dir = userPath(p, body.dir);
      const paths = names(body.names).map((name) => joinPath(dir, name));
      for (const path of paths) allow(deps, req, p, { action: 'remove', path, password: body.password });
      for (const path of paths) await deps.files.remove(path);
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
