import type { FastifyRequest } from 'fastify';
import type { Action, Refusal } from '../../auth/gate.js';
import { type Principal, isGuest } from '../../auth/principal.js';
import { isFsError } from '../../core/errors.js';
import { decodePathComponent, joinPath, normalizePath } from '../../core/paths.js';
import type { AppDeps } from '../deps.js';
import { DavError, unauthorized } from './errors.js';

/** Settings of the WebDAV front door. */
export interface DavOptions {
  /** URL prefix, e.g. "/dav" (no trailing slash). */
  prefix: string;
  /** Answer PROPFIND Depth: infinity (else 403 propfind-finite-depth). */
  propfindInfinity: boolean;
  /** Most entries one Depth: infinity PROPFIND may report. */
  infinityLimit: number;
  /**
   * Rendered <D:response> elements by entry object. Core's cached listings are shared, immutable
   * arrays that are replaced when a folder changes, so an entry object always renders the same
   * for the same request shape; the WeakMap lets them go with the listing.
   */
  renderCache: WeakMap<object, { sig: string; xml: string }>;
}

/** One authenticated WebDAV request: who asks, and for which virtual path. */
export interface DavRequest {
  deps: AppDeps;
  options: DavOptions;
  req: FastifyRequest;
  principal: Principal;
  /** The Basic password, which doubles as the folder (meta) password as in AList. */
  password: string | undefined;
  /** Absolute virtual path of the request URI. */
  path: string;
  /** Set when a listing used for this request was the last good one (the upstream failed). */
  stale?: Date;
}

/** Maps any path failure to 400/403, never 500. */
function pathError(err: unknown): never {
  if (err instanceof DavError) throw err;
  if (isFsError(err)) throw new DavError(400, err.message);
  throw err;
}

/** The user-visible path of a raw request-target below `prefix`, percent-decoded exactly once. */
export function pathFromUrl(rawUrl: string, prefix: string): string {
  if (rawUrl.includes('#')) throw new DavError(400, 'a request URI must not contain a fragment');
  const raw = rawUrl.split('?')[0] ?? '';
  const collapsed = raw.replace(/\/{2,}/g, '/');
  if (collapsed !== prefix && !collapsed.startsWith(prefix + '/')) throw new DavError(404, 'outside the WebDAV prefix');
  try {
    const rest = collapsed.slice(prefix.length);
    return normalizePath(rest.includes('%') ? rest.split('/').map(decodePathComponent).join('/') : rest);
  } catch (err) {
    return pathError(err);
  }
}

/** The absolute virtual path of a user path: joined to the user's base path (the gate decides what it may touch). */
export function toVirtual(p: Principal, userPath: string): string {
  try {
    return joinPath(p.user.basePath || '/', userPath);
  } catch (err) {
    return pathError(err);
  }
}

/** The user-visible path of a virtual path (inverse of toVirtual). */
export function toUserPath(p: Principal, abs: string): string {
  const base = normalizePath(p.user.basePath || '/');
  if (base === '/') return abs;
  if (abs === base) return '/';
  return abs.startsWith(base + '/') ? abs.slice(base.length) : abs;
}

/** Percent-encodes a path segment for an href: everything but unreserved characters. */
export function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The href of a virtual path as this user sees it; collections end with a slash. */
export function hrefOf(dav: DavRequest, abs: string, isDir: boolean): string {
  const user = toUserPath(dav.principal, abs);
  const encoded = user === '/' ? '' : user.split('/').map(encodeSegment).join('/');
  return `${dav.options.prefix}${encoded}${isDir ? '/' : ''}`;
}

function isDotSegment(seg: string): boolean {
  let s = seg;
  try {
    s = decodeURIComponent(seg);
  } catch {
    throw new DavError(400, 'malformed percent-encoding in the Destination');
  }
  return s === '.' || s === '..';
}

/**
 * Resolves a Destination (or If resource tag): an absolute URL on this server or an absolute path.
 * Returns undefined for a URL on another server or outside the prefix.
 */
export function pathFromReference(dav: DavRequest, ref: string): string | undefined {
  let target = ref.trim();
  // URL parsing would resolve dot segments silently: a Destination that climbs is refused as such.
  const rawPath = (target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split('?')[0] ?? '').split('/');
  if (rawPath.some((seg) => isDotSegment(seg))) throw new DavError(400, 'the Destination must not contain "." or ".." segments');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new DavError(400, 'malformed URL');
    }
    const host = dav.req.headers.host;
    if (host && url.host.toLowerCase() !== host.toLowerCase()) return undefined;
    target = url.pathname;
  }
  if (!target.startsWith('/')) throw new DavError(400, 'expected an absolute URL or path');
  try {
    return toVirtual(dav.principal, pathFromUrl(target, dav.options.prefix));
  } catch (err) {
    if (err instanceof DavError && err.status === 404) return undefined;
    throw err;
  }
}

/** WebDAV's one mapping of a gate refusal: a guest is asked to log in, a locked folder password is 429, the rest 403. */
function refusal(r: Refusal, p: Principal): DavError {
  if (r.code === 'door' && isGuest(p)) return unauthorized();
  if (r.status === 429) return new DavError(429, r.message, undefined, { 'Retry-After': '300' });
  return new DavError(403, r.message);
}

/**
 * Asks the gate whether this request may do `action` at `path` (default: the request URI), and
 * to `target` for COPY and MOVE. The Basic password doubles as the folder password, as in AList;
 * only a guest's counts as a guess towards the folder-password lockout.
 */
export function allow(dav: DavRequest, action: Action, options: { path?: string; target?: string } = {}): void {
  const p = dav.principal;
  const ask = { door: 'webdav', action, path: options.path ?? dav.path, target: options.target, password: dav.password, guess: isGuest(p), ip: dav.req.ip } as const;
  dav.deps.gate.require(p, ask, refusal);
}

/** Whether the principal is the administrator (other users' locks). */
export function isAdministrator(dav: DavRequest): boolean {
  return dav.deps.gate.isAdmin(dav.principal);
}

/** The value of a single request header. */
export function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
