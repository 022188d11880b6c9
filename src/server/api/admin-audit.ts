import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuditLog, auditDetail } from '../../auth/audit.js';
import type { AppDeps } from '../deps.js';
import { looseInt, parseInput } from './context.js';
import { ok } from './errors.js';

const admin = { config: { auth: 'admin' as const } };
const PageQuery = z.object({ page: looseInt.default(1), per_page: looseInt.default(50) });

/** Changes worth an audit line: every admin POST, and a user's own tokens, password and 2FA. */
const AUDITED: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^\/api\/admin\/([a-z_]+)\/([a-z_]+)$/, (m) => `${m[1]}.${m[2]}`],
  [/^\/api\/me\/tokens\/(create|revoke)$/, (m) => `token.${m[1]}`],
  [/^\/api\/me\/update$/, () => 'me.update'],
  [/^\/api\/auth\/2fa\/verify$/, () => 'me.2fa'],
];

function actionOf(req: FastifyRequest): string | undefined {
  if (req.method !== 'POST') return undefined;
  const path = (req.url.split('?')[0] ?? '').replace(/\/{2,}/g, '/');
  for (const [re, name] of AUDITED) {
    const m = re.exec(path);
    if (m) return name(m);
  }
  return undefined;
}

/** A request value as audit text: primitives as they are, anything else as JSON (never its own toString). */
function text(v: unknown): string {
  return v === null || typeof v !== 'object' ? String(v) : (JSON.stringify(v) ?? '').slice(0, 200);
}

function targetOf(req: FastifyRequest): string {
  const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const k of ['mount_path', 'username', 'path', 'name']) if (typeof body[k] === 'string') return body[k];
  if (Array.isArray(req.body)) return req.body.map((s: { key?: unknown }) => text(s?.key ?? '')).join(',').slice(0, 500);
  const id = body.id ?? query.id ?? query.key;
  return id === undefined ? '' : `${typeof body.id !== 'undefined' || query.id !== undefined ? 'id ' : ''}${text(id)}`;
}

function envelopeCode(payload: unknown): number | undefined {
  if (typeof payload !== 'string') return undefined;
  const m = /^\{"code":(\d+)/.exec(payload);
  return m ? Number(m[1]) : undefined;
}

/** onSend hook of the API scope: one audit line per admin action by an authenticated caller. */
export function auditHook(deps: AppDeps) {
  const log = new AuditLog(deps.repos.audit, deps.logger);
  return async (req: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    const action = actionOf(req);
    const p = req.principal;
    if (!action || !p) return payload;
    const code = envelopeCode(payload);
    await log.record({
      userId: p.user.id,
      username: p.user.username,
      ip: req.ip,
      action,
      target: targetOf(req),
      detail: { ok: code === 200, code, via: p.kind, body: auditDetail(req.body) },
    });
    return payload;
  };
}

/** `GET /api/admin/audit?page=&per_page=`: newest first, `{content, total}`. */
export function adminAuditRoutes(deps: AppDeps) {
  return async (app: FastifyInstance) => {
    app.get('/api/admin/audit', admin, async (req) => {
      const q = parseInput(PageQuery, req);
      const { items, total } = await deps.repos.audit.list({ page: Math.max(1, q.page), perPage: Math.min(500, Math.max(1, q.per_page)) });
      const content = items.map((e) => ({
        id: e.id, at: e.at.toISOString(), user_id: e.userId, username: e.username, ip: e.ip, action: e.action, target: e.target, detail: e.detail,
      }));
      return ok({ content, total });
    });
  };
}
