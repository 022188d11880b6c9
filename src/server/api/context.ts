import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthError, AuthMessages } from '../../auth/errors.js';
import type { Ask, Refusal } from '../../auth/gate.js';
import { type Principal, isGuest } from '../../auth/principal.js';
import { FsError } from '../../core/errors.js';
import { boolish, numberish } from '../../core/input.js';
import { UserRole } from '../../db/repositories/index.js';
import { joinPath } from '../../core/paths.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from './errors.js';

export type AuthLevel = 'none' | 'guest' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: AuthLevel;
    /** The route also answers for shares (`path` under `/@s/`): those requests authenticate as the share. */
    sharePaths?: boolean;
  }
}

/** Authenticates every /api request at the level its route declares (default: guest). */
export function authHook(deps: AppDeps) {
  return async (req: FastifyRequest): Promise<void> => {
    const level: AuthLevel = req.routeOptions.config.auth ?? 'guest';
    if (level === 'none') return;
    // Anyone with a share's link may use it, also while the guest is disabled.
    if (req.routeOptions.config.sharePaths && sharePathOf(req)) return;
    const p = await deps.auth.authenticate(req.headers.authorization, req.ip);
    if (level === 'user' && isGuest(p)) throw new AuthError(403, AuthMessages.guest);
    if (level === 'admin' && !deps.gate.isAdmin(p)) {
      throw new AuthError(403, p.user.role === UserRole.Admin ? AuthMessages.scope : AuthMessages.notAdmin);
    }
    req.principal = p;
  };
}

/** The path prefix that makes /api/fs/list and /api/fs/get answer for a share (OpenList's `/@s/<id>/...`). */
export const SHARE_PREFIX = '/@s';

/** A share id and a path inside that share. */
export interface SharePath {
  sid: string;
  inner: string;
}

/** The share id and the path inside it, when a request's `path` names a share; else undefined. */
export function sharePathOf(req: FastifyRequest): SharePath | undefined {
  const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  const query = (req.query ?? {}) as Record<string, unknown>;
  const raw = body.path ?? query.path;
  if (typeof raw !== 'string' || !(raw === SHARE_PREFIX || raw.startsWith(`${SHARE_PREFIX}/`))) return undefined;
  const rest = raw.slice(SHARE_PREFIX.length).replace(/^\/+/, '');
  const cut = rest.indexOf('/');
  return cut < 0 ? { sid: rest, inner: '/' } : { sid: rest.slice(0, cut), inner: `/${rest.slice(cut + 1)}` };
}

export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new AuthError(401, AuthMessages.guestDisabled);
  return req.principal;
}

/** Validates a request body (merged over the query string for GET); the message names every bad field. */
export function parseInput<T extends z.ZodType>(schema: T, req: FastifyRequest): z.output<T> {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
  if (req.body !== undefined && req.body !== null && (typeof req.body !== 'object' || Array.isArray(req.body))) {
    throw new ApiError(400, 'request body must be a JSON object');
  }
  const parsed = schema.safeParse({ ...query, ...body });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new ApiError(400, problems.join('; '));
}

/**
 * The absolute virtual path for a path a user sent: joined to the user's base path and normalised
 * (`..` refused). Whether the principal may touch it is the gate's question (`allow`).
 */
export function userPath(p: Principal, raw: string): string {
  if (/(^|[\\/])\.\.([\\/]|$)/.test(raw)) throw new ApiError(403, AuthMessages.relativePath);
  return joinPath(p.user.basePath || '/', raw);
}

/** The API's one mapping of a gate refusal: AList's code and message in the envelope. */
export function refusalError(r: Refusal): ApiError {
  return new ApiError(r.status, r.message);
}

/** Asks the gate for this API request; a refusal is thrown as the API answers it. */
export function allow(deps: AppDeps, req: FastifyRequest, p: Principal, ask: Omit<Ask, 'door' | 'ip'>): void {
  deps.gate.require(p, { door: 'api', ip: req.ip, ...ask }, refusalError);
}

/** Base URL for links: site_url when absolute, else the request's scheme and host (proxy headers honoured). */
export function apiUrl(deps: AppDeps, req: FastifyRequest): string {
  const site = deps.config.site_url;
  if (site.startsWith('http')) return site.replace(/\/+$/, '');
  const proto = String(req.headers['x-forwarded-proto'] ?? req.protocol).split(',')[0]?.trim() || 'http';
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost').split(',')[0]?.trim();
  return `${proto}://${host}`;
}

/** Encodes a virtual path for a URL, segment by segment. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export const str = z.string();
export const looseBool = boolish;
export const looseInt = numberish(z.number().int());

export function sendEnvelope(reply: FastifyReply, body: unknown) {
  return reply.code(200).type('application/json; charset=utf-8').send(body);
}

export { FsError };
