import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.js';
import { ShareService } from '../../auth/shares.js';
import { decodePathComponent, joinPath, normalizePath } from '../../core/paths.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../api/errors.js';
import { serveFile } from '../http/serve-file.js';
import { type ZipItem, sendZip } from '../http/zip.js';
import { fail } from './index.js';

/** Where a zip of a share starts: a tree path, the share principal that may read it, and its name in the archive. */
interface ZipRoot {
  principal: Principal;
  real: string;
  name: string;
}

/**
 * `/sd/<share id>/<path in the share>`: a shared file, always streamed through this server (a
 * direct link would show where the file really is), or a shared folder (or a share of several
 * items at its root) as a zip streamed while it is built. The share is looked up afresh, its
 * visit counted, and the gate asked with the share as principal for every folder and file.
 */
export function sharedDownloadRoutes(deps: AppDeps) {
  const { gate, fs } = deps;
  const shares = new ShareService(deps.repos);
  const refusal = (r: { status: 403 | 429; message: string }) => new ApiError(r.status, r.message);

  /** Every folder and file below the roots that the share may see, folders first, in listing order. */
  async function* walk(roots: ZipRoot[], ip: string): AsyncGenerator<ZipItem> {
    const stack = [...roots].reverse().map((r) => ({ ...r, zip: r.name }));
    while (stack.length > 0) {
      const dir = stack.pop() as ZipRoot & { zip: string };
      if (!gate.authorize(dir.principal, { door: 'share', action: 'list', path: dir.real, ip, guess: false }).ok) continue;
      yield { path: dir.zip, isDir: true, size: 0 };
      const listing = await fs.list(dir.real);
      const visible = gate.visibleIn(dir.principal, dir.real);
      const below: (ZipRoot & { zip: string })[] = [];
      for (const e of listing.entries) {
        if (!visible(e.name)) continue;
        const real = joinPath(dir.real, e.name);
        const zip = `${dir.zip}/${e.name}`;
        if (e.isDir) below.push({ principal: dir.principal, real, name: e.name, zip });
        else if (gate.authorize(dir.principal, { door: 'share', action: 'read', path: real, ip, guess: false }).ok) {
          yield { path: zip, isDir: false, size: e.size, mtime: e.mtime, open: async (signal) => (await fs.read(real, { signal })).stream };
        }
      }
      stack.push(...below.reverse());
    }
  }

  async function shared(req: FastifyRequest, reply: FastifyReply) {
    const raw = ((req.raw.url ?? '').split('?')[0] ?? '').slice('/sd/'.length);
    const [sid = '', ...rest] = raw.split('/').map(decodePathComponent);
    const inner = normalizePath(rest.join('/'));
    const pwd = (req.query as Record<string, unknown>).pwd;
    const { share, creator } = await shares.open(sid, typeof pwd === 'string' ? pwd : '');
    const t = shares.resolve(share, creator, inner);
    if (t.kind === 'root') {
      const roots: ZipRoot[] = [];
      for (const f of t.files) {
        if (!gate.authorize(f.principal, { door: 'share', action: 'read', path: f.real, ip: req.ip }).ok) continue;
        const e = await fs.stat(f.real).catch(() => undefined);
        if (e?.isDir) roots.push({ principal: f.principal, real: f.real, name: f.name });
      }
      await shares.visit(share, req.ip);
      return sendZip(reply, `${share.id}.zip`, rootItems(t.files, roots));
    }
    gate.require(t.principal, { door: 'share', action: 'read', path: t.real, ip: req.ip }, refusal);
    const entry = await fs.stat(t.real);
    await shares.visit(share, req.ip);
    if (entry.isDir) return sendZip(reply, `${entry.name || share.id}.zip`, walk([{ principal: t.principal, real: t.real, name: entry.name || share.id }], req.ip));
    return serveFile(req, reply, {
      name: entry.name,
      size: entry.size,
      mtime: entry.mtime,
      open: (range, signal) => fs.read(t.real, { range, signal }),
    });
  }

  /** A share of several items: its files at the archive's root, its folders as trees. */
  async function* rootItems(files: { name: string; principal: Principal; real: string }[], folders: ZipRoot[]): AsyncGenerator<ZipItem> {
    const dirs = new Set(folders.map((f) => f.real));
    for (const f of files) {
      if (dirs.has(f.real) || !gate.authorize(f.principal, { door: 'share', action: 'read', path: f.real, guess: false }).ok) continue;
      const e = await fs.stat(f.real).catch(() => undefined);
      if (e && !e.isDir) yield { path: f.name, isDir: false, size: e.size, mtime: e.mtime, open: async (signal) => (await fs.read(f.real, { signal })).stream };
    }
    yield* walk(folders, '');
  }

  return async (app: FastifyInstance) => {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/sd/*',
      handler: async (req, reply) => {
        try {
          return await shared(req, reply);
        } catch (err) {
          return fail(reply, err);
        }
      },
    });
  };
}
