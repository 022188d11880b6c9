import type { FastifyReply } from 'fastify';
import { FsError } from '../../core/errors.js';
import { isWithin, parentPath } from '../../core/paths.js';
import { TaskState } from '../../tasks/states.js';
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

/**
 * A copy or move across storages runs on the task engine (durable, resumable, visible in the task
 * routes and the UI) while the client waits for it; a client that goes away leaves it running.
 */
async function throughTaskEngine(dav: DavRequest, reply: FastifyReply, move: boolean, dest: string): Promise<void> {
  const { runner } = dav.deps.tasks;
  const p = dav.principal;
  const task = await runner.submit({
    kind: move ? 'move' : 'copy',
    name: `${move ? 'move' : 'copy'} ${dav.path} to ${dest} (WebDAV)`,
    creator: { id: p.user.id, name: p.user.username, role: p.user.role },
    src: dav.path,
    dst: dest,
    options: { conflict: 'overwrite' },
  });
  const gone = new AbortController();
  // The response closes before it was sent only when the client went away.
  const onClose = () => gone.abort();
  reply.raw.once('close', onClose);
  const done = await runner.waitFor(task.id, gone.signal).finally(() => reply.raw.off('close', onClose));
  if (done?.state === TaskState.Succeeded) return;
  if (gone.signal.aborted) throw new FsError('aborted', `the client went away; task ${task.id} runs on`);
  throw new FsError('upstream_error', `${move ? 'move' : 'copy'} task ${task.id} ${done?.status ?? 'vanished'}: ${done?.error ?? ''}`);
}

/** COPY and MOVE (RFC 4918 §9.8, §9.9): across mounts on the task engine; 201 new, 204 replaced, 412 for Overwrite: F. */
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
  const acrossStorages = fs.mountOf(dav.path) !== fs.mountOf(t.dest) && !(src.isDir && t.depth === '0' && !move);
  if (acrossStorages) {
    // The task carries the dead properties along when it succeeds (FileService).
    await throughTaskEngine(dav, reply, move, t.dest);
    if (move) await locks.repo.removeTree(dav.path);
  } else if (move) {
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
