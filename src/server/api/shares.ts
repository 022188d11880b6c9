import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { ShareService, type ShareTarget } from '../../auth/shares.js';
import { isFsError } from '../../core/errors.js';
import { isWithin, joinPath, normalizePath } from '../../core/paths.js';
import type { VEntry } from '../../core/virtual-fs.js';
import { ConflictError } from '../../db/errors.js';
import type { ShareRecord, UserRecord } from '../../db/repositories/index.js';
import type { AppDeps } from '../deps.js';
import { type SharePath, apiUrl, encodePath, looseBool, looseInt, parseInput, principal, refusalError } from './context.js';
import { ApiError, ok } from './errors.js';
import { ObjectMapper } from './objects.js';

const ID = /^[\w\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}-]+$/u;

const ShareBody = z.object({
  id: z.string().default(''),
  new_id: z.string().default(''),
  files: z.array(z.string()).default([]),
  expires: z.union([z.string(), z.null()]).default(null),
  pwd: z.string().max(256).default(''),
  max_accessed: looseInt.default(0),
  accessed: looseInt.optional(),
  disabled: looseBool.default(false),
  remark: z.string().default(''),
  readme: z.string().default(''),
  header: z.string().default(''),
  order_by: z.enum(['', 'name', 'size', 'modified']).default(''),
  order_direction: z.enum(['', 'asc', 'desc']).default(''),
  extract_folder: z.enum(['', 'front', 'back']).default(''),
  creator: z.string().default(''),
});
const ShareListReq = z.object({ path: z.string(), password: z.string().default(''), page: looseInt.default(1), per_page: looseInt.default(0), refresh: looseBool.default(false) });
const PageReq = z.object({ page: looseInt.default(1), per_page: looseInt.default(0) });

function validId(id: string): void {
  if ([...id].length > 64) throw new ApiError(400, 'share id must be at most 64 characters');
  if (!ID.test(id)) throw new ApiError(400, 'share id can only contain letters, numbers, underscores, hyphens, and CJK characters');
}

function expiry(raw: string | null): Date | null {
  if (raw === null || raw === '' || raw.startsWith('0001-01-01')) return null;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new ApiError(400, `expires: "${raw}" is not a date`);
  return d;
}

/** A share as OpenList's API shows it (SharingResp). */
function view(s: ShareRecord, creator: UserRecord | undefined) {
  return {
    id: s.id,
    files: s.files,
    expires: s.expiresAt ? s.expiresAt.toISOString() : null,
    pwd: s.pwd,
    accessed: s.accessed,
    max_accessed: s.maxAccessed,
    disabled: s.disabled,
    remark: s.remark,
    readme: s.readme,
    header: s.header,
    domain: '',
    web_hosting: false,
    order_by: s.orderBy,
    order_direction: s.orderDirection,
    extract_folder: s.extractFolder,
    creator: creator?.username ?? '',
    creator_role: creator?.role ?? 0,
  };
}

/** Shares: OpenList's /api/share/* for their creators, and /api/fs/list|get over `/@s/<id>/...` for anyone with the link. */
export function shareRoutes(deps: AppDeps) {
  const shares = new ShareService(deps.repos);
  const objects = new ObjectMapper(deps.settings);
  const user = { config: { auth: 'user' as const } };

  /** The share `id` of a request, if the principal may manage it (its creator or the administrator). */
  const isAdmin = (p: Principal) => deps.gate.isAdmin(p);

  async function owned(p: Principal, id: string, change: boolean): Promise<ShareRecord> {
    const s = id === '' ? undefined : await deps.repos.shares.get(id);
    if (!s || !deps.gate.mayTouchShare(p, s.creatorId, change)) throw new ApiError(404, 'sharing not found');
    return s;
  }

  /** Who a share is made or edited for, and the checks OpenList makes on its files; files normalised. */
  async function creatorFor(p: Principal, body: z.output<typeof ShareBody>, current?: UserRecord): Promise<{ creator: UserRecord; files: string[] }> {
    if (!deps.gate.mayShare(p)) throw new ApiError(403, 'permission denied');
    let creator: UserRecord | undefined = current ?? p.user;
    if (isAdmin(p) && body.creator !== '') {
      creator = await deps.repos.users.getByUsername(body.creator);
      if (!creator) throw new ApiError(400, 'no such a user');
    }
    const files = body.files.map((f) => f.trim()).filter((f) => f !== '');
    if (files.length === 0) throw new ApiError(400, 'must add at least 1 object');
    // Paths are the creator's, as every fs route takes them: under the creator's base path.
    const base = normalizePath(creator.basePath || '/');
    const normal = files.map((f) => {
      if (/(^|[\\/])\.\.([\\/]|$)/.test(f)) throw new ApiError(403, `permission denied to share path [${f}]`);
      return joinPath(base, f);
    });
    for (const f of normal) {
      if (!isWithin(f, base)) throw new ApiError(403, `permission denied to share path [${f}]`);
      // The creator must be able to read what it shares, now, without a folder password typed.
      const d = deps.gate.authorize({ user: creator, kind: 'login', scope: 'read' }, { door: 'share', action: 'read', path: f });
      if (!d.ok) throw refusalError(d);
    }
    const names = new Set(normal.map((f) => f.slice(f.lastIndexOf('/') + 1)));
    if (normal.length > 1 && names.size !== normal.length) throw new ApiError(400, 'the files of a share must have different names');
    return { creator, files: normal };
  }

  function fields(body: z.output<typeof ShareBody>) {
    return {
      expiresAt: expiry(body.expires),
      pwd: body.pwd,
      maxAccessed: Math.max(0, body.max_accessed),
      disabled: body.disabled,
      remark: body.remark,
      readme: body.readme,
      header: body.header,
      orderBy: body.order_by,
      orderDirection: body.order_direction,
      extractFolder: body.extract_folder,
    };
  }

  /** The entries a share path lists, checked by the gate with the share as principal. */
  async function listTarget(t: ShareTarget): Promise<VEntry[]> {
    if (t.kind === 'root') {
      const out: VEntry[] = [];
      for (const f of t.files) {
        if (!deps.gate.authorize(f.principal, { door: 'share', action: 'read', path: f.real }).ok) continue;
        const e = await deps.fs.stat(f.real).catch(() => undefined);
        if (e) out.push(e);
      }
      return out;
    }
    deps.gate.require(t.principal, { door: 'share', action: 'list', path: t.real }, refusalError);
    let listing;
    try {
      listing = await deps.fs.list(t.real);
    } catch (err) {
      if (isFsError(err, 'not_found')) throw new ApiError(404, 'failed list sharing: object not found');
      throw err;
    }
    const visible = deps.gate.visibleIn(t.principal, t.real);
    return listing.entries.filter((e) => visible(e.name));
  }

  async function shareList(req: FastifyRequest, at: SharePath) {
    const body = parseInput(ShareListReq, req);
    const { share, creator } = await shares.open(at.sid, body.password);
    const t = shares.resolve(share, creator, at.inner);
    const entries = await listTarget(t);
    await shares.visit(share, req.ip);
    const sorted = objects.sort(entries, share);
    const page = Math.max(1, body.page);
    const slice = body.per_page < 1 ? sorted : sorted.slice((page - 1) * body.per_page, page * body.per_page);
    return ok({ content: slice.map((e) => objects.toObject(e, '')), total: sorted.length, readme: share.readme, header: share.header, write: false, provider: 'unknown' });
  }

  async function shareGet(req: FastifyRequest, at: SharePath) {
    const body = parseInput(ShareListReq, req);
    const { share, creator } = await shares.open(at.sid, body.password);
    const t = shares.resolve(share, creator, at.inner);
    if (t.kind === 'root') {
      await shares.visit(share, req.ip);
      return ok({ name: share.id, size: 0, is_dir: true, modified: share.createdAt.toISOString(), created: share.createdAt.toISOString(), sign: '', thumb: '', type: 1, hashinfo: 'null', hash_info: null, raw_url: '', readme: share.readme, header: share.header, provider: 'unknown', related: null });
    }
    deps.gate.require(t.principal, { door: 'share', action: 'read', path: t.real }, refusalError);
    let e: VEntry;
    try {
      e = await deps.fs.stat(t.real);
    } catch (err) {
      if (isFsError(err, 'not_found')) throw new ApiError(404, 'failed get sharing: object not found');
      throw err;
    }
    await shares.visit(share, req.ip);
    const inner = normalizePath(at.inner);
    const url = e.isDir ? '' : `${deps.settings.contentOrigin() || apiUrl(deps, req)}/sd/${encodeURIComponent(share.id)}${inner === '/' ? '' : encodePath(inner)}${share.pwd ? `?pwd=${encodeURIComponent(share.pwd)}` : ''}`;
    return ok({ ...objects.toObject(e, ''), raw_url: url, readme: share.readme, header: share.header, provider: 'unknown', related: null });
  }

  return {
    shareList,
    shareGet,
    routes: async (app: FastifyInstance) => {
      app.all('/api/share/list', user, async (req) => {
        const p = principal(req);
        const q = parseInput(PageReq, req);
        const perPage = q.per_page < 1 ? 30 : Math.min(q.per_page, 500);
        const page = await deps.repos.shares.list({ page: q.page, perPage, ...(isAdmin(p) ? {} : { creatorId: p.user.id }) });
        const creators = new Map<number, UserRecord | undefined>();
        for (const s of page.items) if (!creators.has(s.creatorId)) creators.set(s.creatorId, await deps.repos.users.get(s.creatorId));
        return ok({ content: page.items.map((s) => view(s, creators.get(s.creatorId))), total: page.total });
      });

      app.get('/api/share/get', user, async (req) => {
        const s = await owned(principal(req), String((req.query as Record<string, unknown>).id ?? ''), false);
        return ok(view(s, await deps.repos.users.get(s.creatorId)));
      });

      app.post('/api/share/create', user, async (req) => {
        const p = principal(req);
        const body = parseInput(ShareBody, req);
        if (body.id !== '') {
          if (!deps.gate.mayChooseShareId(p)) throw new ApiError(403, 'permission denied');
          validId(body.id);
        }
        const { creator, files } = await creatorFor(p, body);
        const id = body.id || randomBytes(6).toString('base64url');
        try {
          await deps.repos.shares.create({ id, files, creatorId: creator.id, accessed: Math.max(0, body.accessed ?? 0), guards: deps.gate.shareGuards(files), ...fields(body) });
        } catch (err) {
          if (err instanceof ConflictError) throw new ApiError(400, err.message);
          throw err;
        }
        return ok(view((await deps.repos.shares.get(id)) as ShareRecord, creator));
      });

      app.post('/api/share/update', user, async (req) => {
        const p = principal(req);
        const body = parseInput(ShareBody, req);
        const s = await owned(p, body.id, true);
        const { creator, files } = await creatorFor(p, body, isAdmin(p) && body.creator === '' ? await deps.repos.users.get(s.creatorId) : undefined);
        const newId = body.new_id !== '' && body.new_id !== s.id ? body.new_id : undefined;
        if (newId !== undefined) {
          if (!deps.gate.mayChooseShareId(p)) throw new ApiError(403, 'permission denied');
          validId(newId);
        }
        // The folder passwords the share passes are those guarding its files as they are saved now.
        const patch = { files, creatorId: creator.id, guards: deps.gate.shareGuards(files), ...fields(body), ...(body.accessed !== undefined ? { accessed: Math.max(0, body.accessed) } : {}) };
        try {
          await deps.repos.shares.update(s.id, { ...patch, ...(newId !== undefined ? { newId } : {}) });
        } catch (err) {
          if (err instanceof ConflictError) throw new ApiError(400, err.message);
          throw err;
        }
        return ok(view((await deps.repos.shares.get(newId ?? s.id)) as ShareRecord, creator));
      });

      app.post('/api/share/delete', user, async (req) => {
        const s = await owned(principal(req), String((req.query as Record<string, unknown>).id ?? ''), true);
        await deps.repos.shares.delete(s.id);
        return ok();
      });

      for (const [action, disabled] of [['enable', false], ['disable', true]] as const) {
        app.post(`/api/share/${action}`, user, async (req) => {
          const s = await owned(principal(req), String((req.query as Record<string, unknown>).id ?? ''), true);
          await deps.repos.shares.update(s.id, { disabled });
          return ok();
        });
      }
    },
  };
}

