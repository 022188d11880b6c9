import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';
import { isSmallBody } from '../../core/small-body.js';
import { isFsError } from '../../core/errors.js';
import { parentPath } from '../../core/paths.js';
import type { VEntry } from '../../core/virtual-fs.js';
import { etagOf } from '../http/serve-file.js';
import { type DavRequest, allow, header } from './context.js';
import { DavError } from './errors.js';
import { sameEtag } from './if-header.js';
import type { DavLocks } from './locks.js';
import { hasBody } from './xml.js';

/** RFC 7232 preconditions on unsafe methods: If-Match, If-None-Match, If-Unmodified-Since → 412. */
export function httpPreconditions(dav: DavRequest, entry: VEntry | undefined): void {
  const ifMatch = header(dav.req, 'if-match');
  const ifNoneMatch = header(dav.req, 'if-none-match');
  const etag = entry && !entry.isDir ? etagOf(entry.size, entry.mtime) : undefined;
  const anyOf = (list: string) => list.split(',').some((t) => t.trim() === '*' ? entry !== undefined : etag !== undefined && sameEtag(t, etag));
  if (ifMatch !== undefined && !anyOf(ifMatch)) throw new DavError(412, 'If-Match does not hold');
  if (ifNoneMatch !== undefined && anyOf(ifNoneMatch)) throw new DavError(412, 'If-None-Match does not hold');
  const since = header(dav.req, 'if-unmodified-since');
  if (since && entry?.mtime && !Number.isNaN(Date.parse(since)) && Math.floor(entry.mtime.getTime() / 1000) > Math.floor(Date.parse(since) / 1000)) {
    throw new DavError(412, 'modified since If-Unmodified-Since');
  }
}

/** Size from Content-Length, else the size hints of macOS Finder (X-Expected-Entity-Length) and OpenList (X-File-Size). */
function declaredSize(dav: DavRequest): number | undefined {
  const chunked = header(dav.req, 'transfer-encoding') !== undefined;
  const raw = (!chunked && header(dav.req, 'content-length')) || header(dav.req, 'x-expected-entity-length') || header(dav.req, 'x-file-size');
  if (raw === undefined || raw === '') return chunked ? undefined : 0;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new DavError(400, 'invalid length header');
  return n;
}

/** Modification time from X-OC-Mtime (unix seconds, ownCloud/rclone style). */
function requestedMtime(dav: DavRequest): Date | undefined {
  const raw = header(dav.req, 'x-oc-mtime');
  if (!raw) return undefined;
  const s = Number(raw);
  return Number.isFinite(s) && s > 0 ? new Date(Math.round(s * 1000)) : undefined;
}

function abortOnClientGone(raw: IncomingMessage): AbortSignal {
  const abort = new AbortController();
  raw.once('close', () => {
    if (!raw.complete) abort.abort();
  });
  return abort.signal;
}

/** PUT (RFC 4918 §9.7): streamed with back-pressure, committed atomically; 201 new, 204 replaced. */
export async function put(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'write');
  if (header(dav.req, 'content-range')) throw new DavError(400, 'partial PUT (Content-Range) is not supported');
  const { tokens } = await locks.checkIf(dav);
  const existing = await dav.deps.fs.lookup(dav.path);
  if (existing?.isDir) throw new DavError(409, 'a collection exists at this URI');
  httpPreconditions(dav, existing);
  if (!existing && !(await dav.deps.fs.isFolder(parentPath(dav.path)))) throw new DavError(409, 'the parent collection does not exist');
  await locks.requireUnlocked(dav, tokens, [{ path: dav.path, membership: !existing }]);
  const mtime = requestedMtime(dav);
  const size = declaredSize(dav);
  const raw = dav.req.raw;
  // A small body is received whole before the storage is touched (a client that breaks off
  // fails that read); a streamed one is cancelled when the client goes away mid-body.
  const signal = isSmallBody(size) ? undefined : abortOnClientGone(raw);
  // The parent was checked above, so core writes without looking the target up again.
  const entry = await dav.deps.fs.write(dav.path, raw, { size, mtime, signal });
  if (mtime) reply.header('X-OC-MTime', 'accepted');
  return reply.code(existing ? 204 : 201).header('ETag', etagOf(entry.size, entry.mtime)).send();
}

/** MKCOL (RFC 4918 §9.3): 201; 405 when the URI is mapped; 409 without a parent; 415 with a body. */
export async function mkcol(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'mkdir');
  if (hasBody(dav.req.raw)) throw new DavError(415, 'MKCOL with a body is not supported');
  const { tokens } = await locks.checkIf(dav);
  if (await dav.deps.fs.lookup(dav.path)) throw new DavError(405, 'the resource already exists', undefined, { Allow: 'OPTIONS, PROPFIND, PROPPATCH, LOCK, UNLOCK, DELETE, COPY, MOVE' });
  const parent = await dav.deps.fs.lookup(parentPath(dav.path));
  if (!parent?.isDir) throw new DavError(409, 'the parent collection does not exist');
  await locks.requireUnlocked(dav, tokens, [{ path: dav.path, membership: true }]);
  // Nothing was there a moment ago: core may treat the new collection as known empty.
  await dav.deps.fs.mkdir(dav.path, { createParents: false, fresh: true });
  return reply.code(201).send();
}

/** DELETE (RFC 4918 §9.6): recursive; removes dead properties and locks of the tree. */
export async function del(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'remove');
  const depth = header(dav.req, 'depth');
  const { tokens } = await locks.checkIf(dav);
  const entry = await dav.deps.fs.stat(dav.path);
  if (entry.isDir && depth !== undefined && depth.trim().toLowerCase() !== 'infinity') throw new DavError(400, 'DELETE of a collection needs Depth: infinity');
  httpPreconditions(dav, entry);
  await locks.requireUnlocked(dav, tokens, [{ path: dav.path, tree: true, membership: true }]);
  await dav.deps.fs.remove(dav.path, { recursive: true });
  await dav.deps.repos.davProps.removeTree(dav.path);
  await locks.repo.removeTree(dav.path);
  return reply.code(204).send();
}
