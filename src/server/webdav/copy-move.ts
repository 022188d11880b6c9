import type { FastifyReply } from 'fastify';
import { isWithin, parentPath } from '../../core/paths.js';
import { type DavRequest, allow, header, pathFromReference } from './context.js';
import { DavError } from './errors.js';
import type { DavLocks, LockTarget } from './locks.js';
import { httpPreconditions } from './write-methods.js';

interface Transfer {
  dest: string;
  overwrite: boolean;
  depth: '0' | 'infinity';
}

/**
 * A Destination URL on the host this request came in on, as the client sees it (behind a trusted
 * proxy, X-Forwarded-Host), becomes an absolute path; anything else is judged as sent.
 */
function onThisHost(dav: DavRequest, raw: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(\/.*)$/i.exec(raw.trim());
  if (!m || (m[1] ?? '').toLowerCase() !== dav.req.host.toLowerCase()) return raw;
  return m[2] ?? raw;
}

function transferOf(dav: DavRequest, move: boolean): Transfer {
  const raw = header(dav.req, 'destination');
  if (!raw) throw new DavError(400, 'a Destination header is required');
  const dest = pathFromReference(dav, onThisHost(dav, raw));
  // RFC 4918 allows 502 here; a client that names another server or namespace made the mistake, so 403.
  if (dest === undefined) throw new DavError(403, 'the Destination is on another server or outside the WebDAV prefix');
  const ow = (header(dav.req, 'overwrite') ?? 'T').trim().toUpperCase();
  if (ow !== 'T' && ow !== 'F') throw new DavError(400, 'Overwrite must be T or F');
  const d = (header(dav.req, 'depth') ?? 'infinity').trim().toLowerCase();
  if (d !== '0' && d !== 'infinity') throw new DavError(400, 'Depth must be 0 or infinity');
  if (move && d !== 'infinity') throw new DavError(400, 'MOVE needs Depth: infinity');
  return { dest, overwrite: ow === 'T', depth: d };
}

/** COPY and MOVE (RFC 4918 §9.8, §9.9): across mounts by streaming; 201 new, 204 replaced, 412 for Overwrite: F. */
export async function copyOrMove(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  const move = dav.req.method === 'MOVE';
  const t = transferOf(dav, move);
  allow(dav, move ? 'move' : 'copy', { target: t.dest });
  if (t.dest === dav.path) throw new DavError(403, 'source and destination are the same');
  if (isWithin(t.dest, dav.path) || isWithin(dav.path, t.dest)) throw new DavError(403, 'cannot copy or move a collection into itself');
  const { tokens } = await locks.checkIf(dav);
  const src = await dav.deps.fs.stat(dav.path);
  httpPreconditions(dav, src);
  const existing = await dav.deps.fs.lookup(t.dest);
  if (existing && !t.overwrite) throw new DavError(412, 'the destination exists and Overwrite is F');
  const destParent = await dav.deps.fs.lookup(parentPath(t.dest));
  if (!destParent?.isDir) throw new DavError(409, 'the destination collection does not exist');
  const targets: LockTarget[] = [{ path: t.dest, tree: true, membership: true }];
  if (move) targets.push({ path: dav.path, tree: true, membership: true });
  await locks.requireUnlocked(dav, tokens, targets);
  const { fs, repos } = dav.deps;
  if (existing) {
    await fs.remove(t.dest, { recursive: true });
    await repos.davProps.removeTree(t.dest);
    await locks.repo.removeTree(t.dest);
  }
  if (move) {
    await fs.move(dav.path, t.dest, { overwrite: true });
    await repos.davProps.moveTree(dav.path, t.dest);
    await locks.repo.removeTree(dav.path);
  } else if (src.isDir && t.depth === '0') {
    await fs.mkdir(t.dest, { createParents: false });
    await repos.davProps.copyTree(dav.path, t.dest, { depthZero: true });
  } else {
    await fs.copy(dav.path, t.dest, { overwrite: true });
    await repos.davProps.copyTree(dav.path, t.dest);
  }
  return reply.code(existing ? 204 : 201).send();
}
