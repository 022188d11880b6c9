import { Readable } from 'node:stream';
import { withLease } from '../../cluster/lease.js';
import type { FastifyReply } from 'fastify';
import { isFsError } from '../../core/errors.js';
import { parentPath } from '../../core/paths.js';
import type { VEntry } from '../../core/virtual-fs.js';
import type { DavLockDepth, DavLockRecord, DavLockScope } from '../../db/repositories/index.js';
import { type DavRequest, allow, header, isAdministrator } from './context.js';
import { DavError } from './errors.js';
import { type DavLocks, covers, newLockToken, parseTimeout } from './locks.js';
import { type XmlElement, childElements, findChild, innerXml, isDav, readXml, DAV_NS } from './xml.js';

interface LockInfo {
  scope: DavLockScope;
  owner: string;
}

function lockInfoOf(body: XmlElement): LockInfo {
  if (!isDav(body, 'lockinfo')) throw new DavError(400, 'expected a DAV:lockinfo element');
  const scopeEl = findChild(body, DAV_NS, 'lockscope');
  const typeEl = findChild(body, DAV_NS, 'locktype');
  const scope = scopeEl && childElements(scopeEl)[0];
  if (!scope || !(isDav(scope, 'exclusive') || isDav(scope, 'shared'))) throw new DavError(400, 'DAV:lockscope must be exclusive or shared');
  if (!typeEl || !childElements(typeEl).some((t) => isDav(t, 'write'))) throw new DavError(400, 'only write locks exist');
  const owner = findChild(body, DAV_NS, 'owner');
  return { scope: scope.name === 'shared' ? 'shared' : 'exclusive', owner: owner ? innerXml(owner) : '' };
}

function lockDepth(dav: DavRequest): DavLockDepth {
  const d = (header(dav.req, 'depth') ?? 'infinity').trim().toLowerCase();
  if (d === '0' || d === 'infinity') return d;
  throw new DavError(400, 'Depth for LOCK must be 0 or infinity');
}

function lockReply(dav: DavRequest, reply: FastifyReply, locks: DavLocks, lock: DavLockRecord, isDir: boolean, status: number) {
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery>' +
    locks.activeLock(dav, lock, isDir) +
    '</D:lockdiscovery></D:prop>\n';
  return reply.code(status).header('Lock-Token', `<${lock.token}>`).type('application/xml; charset=utf-8').send(body);
}

/** Refresh (LOCK without a body): the If header names a lock that covers the request URI. */
async function refresh(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  const { tokens } = await locks.checkIf(dav);
  if (tokens.size === 0) throw new DavError(400, 'a lock refresh needs the lock token in an If header');
  for (const token of tokens) {
    const lock = await locks.repo.get(token);
    if (!lock || !covers(lock, dav.path)) continue;
    if (lock.userId !== dav.principal.user.id && !isAdministrator(dav)) throw new DavError(403, 'the lock belongs to another user');
    const seconds = parseTimeout(header(dav.req, 'timeout'));
    await locks.repo.refresh(token, seconds);
    const fresh = { ...lock, timeoutSeconds: seconds, expiresAt: new Date(Date.now() + seconds * 1000) };
    const root = await dav.deps.fs.lookup(lock.root);
    return lockReply(dav, reply, locks, fresh, root?.isDir ?? false, 200);
  }
  throw new DavError(412, 'no submitted lock covers this resource', '<D:lock-token-matches-request-uri/>');
}

/** 423 when an existing lock conflicts with the one asked for (RFC 4918 §6.1, §9.10). */
async function checkConflicts(dav: DavRequest, locks: DavLocks, info: LockInfo, depth: DavLockDepth): Promise<void> {
  const found = await locks.guarding([{ path: dav.path, tree: depth === 'infinity' }]);
  if (found.some((l) => l.scope === 'exclusive' || info.scope === 'exclusive')) {
    throw new DavError(423, 'a conflicting lock exists', '<D:no-conflicting-lock/>');
  }
}

/** LOCK (RFC 4918 §9.10): new locks, refreshes, and locks on unmapped URLs (which create an empty file). */
export async function lock(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'lock');
  const body = await readXml(dav.req.raw);
  if (!body) return refresh(dav, reply, locks);
  const info = lockInfoOf(body);
  const depth = lockDepth(dav);
  const { tokens } = await locks.checkIf(dav);
  // Conflict check and insert as one step, across requests and instances: two exclusive LOCKs
  // racing for one resource never both win.
  const { record, isDir, status } = await withLease(dav.deps.repos.leases, 'webdav-lock', { ttlMs: 10_000, pollMs: 5 }, () =>
    createLock(dav, locks, info, depth, tokens),
  );
  return lockReply(dav, reply, locks, record, isDir, status);
}

async function createLock(dav: DavRequest, locks: DavLocks, info: ReturnType<typeof lockInfoOf>, depth: ReturnType<typeof lockDepth>, tokens: Set<string>) {
  let entry = await dav.deps.fs.lookup(dav.path);
  await checkConflicts(dav, locks, info, depth);
  let status = 200;
  if (!entry) {
    await locks.requireUnlocked(dav, tokens, [{ path: dav.path, membership: true }]);
    const parent = await dav.deps.fs.lookup(parentPath(dav.path));
    if (!parent?.isDir) throw new DavError(409, 'the parent collection does not exist');
    entry = await dav.deps.fs.write(dav.path, Readable.from([]), { size: 0, overwrite: false, createParents: false });
    status = 201;
  }
  const seconds = parseTimeout(header(dav.req, 'timeout'));
  const now = new Date();
  const record: DavLockRecord = {
    token: newLockToken(),
    root: dav.path,
    depth: entry.isDir ? depth : '0',
    scope: info.scope,
    owner: info.owner,
    timeoutSeconds: seconds,
    expiresAt: new Date(now.getTime() + seconds * 1000),
    userId: dav.principal.user.id,
    createdAt: now,
  };
  await locks.repo.create(record);
  return { record, isDir: entry.isDir, status };
}

/** UNLOCK (RFC 4918 §9.11): 204; 400 without a token; 409 when the token does not cover the URI. */
export async function unlock(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'lock');
  const raw = header(dav.req, 'lock-token')?.trim() ?? '';
  const m = /^<([^>]+)>$/.exec(raw);
  if (!m?.[1]) throw new DavError(400, 'UNLOCK needs a Lock-Token header');
  const lock = await locks.repo.get(m[1]);
  if (!lock || !covers(lock, dav.path)) {
    throw new DavError(409, 'the lock token does not cover this resource', '<D:lock-token-matches-request-uri/>');
  }
  if (lock.userId !== dav.principal.user.id && !isAdministrator(dav)) throw new DavError(403, 'the lock belongs to another user');
  await locks.repo.remove(lock.token);
  return reply.code(204).send();
}
