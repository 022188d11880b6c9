import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.js';
import { baseName, decodePathComponent } from '../../core/paths.js';
import { taskName } from '../../tasks/states.js';
import { stageUpload } from '../../tasks/upload.js';
import type { AppDeps } from '../deps.js';
import { allow, principal, userPath } from './context.js';
import { ApiError, ok } from './errors.js';
import { taskInfo } from './tasks.js';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

interface UploadTarget {
  path: string;
  overwrite: boolean;
  mtime: Date | undefined;
  size: number | undefined;
  asTask: boolean;
}

/** Reads AList's upload headers: File-Path (URL-encoded), Overwrite, Last-Modified (ms), Password, As-Task. */
function uploadTarget(deps: AppDeps, p: Principal, req: FastifyRequest, bodySize: boolean): UploadTarget {
  const raw = header(req, 'file-path');
  if (!raw) throw new ApiError(400, 'File-Path header is required');
  const path = userPath(p, decodePathComponent(raw));
  allow(deps, req, p, { action: 'write', path, password: header(req, 'password') ?? '' });
  const ms = Number(header(req, 'last-modified'));
  const length = header(req, 'content-length');
  let size: number | undefined;
  if (bodySize && length !== undefined) {
    size = Number(length);
    if (!Number.isSafeInteger(size) || size < 0) throw new ApiError(400, 'Content-Length: must be a non-negative integer');
  }
  return {
    path,
    overwrite: header(req, 'overwrite') !== 'false',
    mtime: Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined,
    size,
    asTask: header(req, 'as-task') === 'true',
  };
}

/** PUT /api/fs/put (raw streamed body) and PUT /api/fs/form (multipart field `file`). */
export function fsUploadRoutes(deps: AppDeps) {
  async function store(t: UploadTarget, body: Readable, req: FastifyRequest) {
    const abort = new AbortController();
    req.raw.once('close', () => {
      if (!req.raw.complete) abort.abort();
    });
    if (!t.overwrite && (await deps.fs.exists(t.path))) throw new ApiError(403, 'file exists');
    if (t.asTask) {
      // AList's As-Task: the body is staged on this server's disk and a durable task commits it.
      const staged = await stageUpload(deps.tasks.stagingDir, body, t.size, abort.signal);
      const mount = deps.fs.mountOf(t.path);
      const p = principal(req);
      const task = await deps.tasks.runner.submit({
        kind: 'upload',
        name: taskName('upload', baseName(t.path), { mount: mount?.path ?? '/', path: t.path }),
        creator: { id: p.user.id, name: p.user.username, role: p.user.role },
        src: staged.file,
        dst: t.path,
        options: { conflict: 'overwrite' },
      });
      return ok({ task: taskInfo(task) });
    }
    await deps.fs.write(t.path, body, { size: t.size, mtime: t.mtime, overwrite: t.overwrite, signal: abort.signal });
    return ok(null);
  }

  return async (app: FastifyInstance) => {
    app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      // The body stays a stream: it is piped to the storage with back-pressure, never buffered.
      raw.addContentTypeParser('*', (_req, _payload, done) => done(null));
      raw.put('/api/fs/put', async (req) => {
        const t = uploadTarget(deps, principal(req), req, true);
        return store(t, req.raw, req);
      });
    });

    app.register(async (form) => {
      await form.register(multipart, { limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1, fields: 16 } });
      form.put('/api/fs/form', async (req) => {
        const t = uploadTarget(deps, principal(req), req, false);
        const file = await req.file();
        if (!file) throw new ApiError(400, 'multipart field "file" is required');
        return store(t, file.file, req);
      });
    });
  };
}
