import type { FastifyReply } from 'fastify';
import type { VEntry } from '../../core/virtual-fs.js';
import type { DavLockRecord, DavPropRecord } from '../../db/repositories/index.js';
import { type DavRequest, allow, header } from './context.js';
import { DavError } from './errors.js';
import type { DavLocks } from './locks.js';
import { LIVE_PROPS, MULTISTATUS_CLOSE, MULTISTATUS_OPEN, type PropName, type PropRequest, type PropSources, renderEntry } from './props.js';
import { DAV_NS, type XmlElement, childElements, isDav, readXml } from './xml.js';

type Depth = '0' | '1' | 'infinity';

function depthOf(dav: DavRequest): Depth {
  const d = (header(dav.req, 'depth') ?? 'infinity').trim().toLowerCase();
  if (d === '0' || d === '1' || d === 'infinity') return d;
  throw new DavError(400, `invalid Depth: ${d}`);
}

function names(prop: XmlElement): PropName[] {
  return childElements(prop).map((c) => ({ ns: c.ns, name: c.name }));
}

/** Reads the PROPFIND body: none means allprop (RFC 4918 §9.1). */
export function propRequestOf(body: XmlElement | undefined): PropRequest {
  if (!body) return { kind: 'allprop', include: [] };
  if (!isDav(body, 'propfind')) throw new DavError(400, 'expected a DAV:propfind element');
  const kids = childElements(body).filter((c) => c.ns === DAV_NS);
  const prop = kids.find((c) => c.name === 'prop');
  if (prop) return { kind: 'prop', props: names(prop) };
  if (kids.some((c) => c.name === 'propname')) return { kind: 'propname' };
  if (kids.some((c) => c.name === 'allprop')) {
    const include = kids.find((c) => c.name === 'include');
    return { kind: 'allprop', include: include ? names(include) : [] };
  }
  throw new DavError(400, 'DAV:propfind needs prop, propname or allprop');
}

/** Whether the request could show dead properties or locks (skip the queries when it cannot). */
function wants(req: PropRequest): { dead: boolean; locks: boolean } {
  if (req.kind !== 'prop') return { dead: true, locks: req.kind === 'allprop' };
  const live = new Set<string>(LIVE_PROPS);
  return {
    dead: req.props.some((p) => p.ns !== DAV_NS || !live.has(p.name) || p.name === 'displayname'),
    locks: req.props.some((p) => p.ns === DAV_NS && p.name === 'lockdiscovery'),
  };
}

/** Walks a tree breadth-first for Depth: infinity, up to `limit` entries. */
async function walk(dav: DavRequest, root: VEntry, limit: number): Promise<VEntry[]> {
  const out: VEntry[] = [root];
  for (let i = 0; i < out.length; i++) {
    const e = out[i];
    if (!e?.isDir) continue;
    // A folder below the request URI is entered only if the gate lets this principal list it.
    if (i > 0 && !dav.deps.gate.authorize(dav.principal, { door: 'webdav', action: 'list', path: e.path, password: dav.password, guess: false }).ok) continue;
    for (const child of await listVisible(dav, e.path)) {
      out.push(child);
      if (out.length > limit) throw new DavError(403, 'too many entries for Depth: infinity', '<D:propfind-finite-depth/>');
    }
  }
  return out;
}

async function listVisible(dav: DavRequest, dir: string): Promise<VEntry[]> {
  const { entries, stale } = await dav.deps.fs.list(dir);
  if (stale) dav.stale = stale;
  const visible = dav.deps.gate.visibleIn(dav.principal, dir);
  return entries.filter((e) => visible(e.name));
}

async function deadProps(dav: DavRequest, entries: VEntry[], depth: Depth): Promise<Map<string, DavPropRecord[]>> {
  const repo = dav.deps.repos.davProps;
  const root = entries[0];
  const rows: DavPropRecord[] = [];
  if (depth === '0' || !root?.isDir) rows.push(...(await repo.forPath(root?.path ?? dav.path)));
  else {
    const dirs = depth === '1' ? [root] : entries.filter((e) => e.isDir);
    for (const d of dirs) rows.push(...(await repo.forFolder(d.path)));
  }
  const map = new Map<string, DavPropRecord[]>();
  for (const r of rows) {
    const list = map.get(r.path);
    if (list) {
      if (!list.some((x) => x.ns === r.ns && x.name === r.name)) list.push(r);
    } else map.set(r.path, [r]);
  }
  return map;
}

/** Locks on the resource or around it, and with depth 1 those below it, from the lock copy. */
function locksFor(locks: DavLocks, root: VEntry, depth: Depth): Promise<DavLockRecord[]> {
  return locks.guarding([{ path: root.path, tree: depth !== '0' }]);
}

/** PROPFIND (RFC 4918 §9.1): one listing, one dead-property query, one lock query, one string. */
export async function propfind(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'list');
  const depth = depthOf(dav);
  if (depth === 'infinity' && !dav.options.propfindInfinity) {
    throw new DavError(403, 'Depth: infinity is not answered here', '<D:propfind-finite-depth/>');
  }
  const request = propRequestOf(await readXml(dav.req.raw));
  await locks.checkIf(dav);
  const self = await dav.deps.fs.stat(dav.path);
  let entries: VEntry[] = [self];
  if (self.isDir && depth === '1') entries = entries.concat(await listVisible(dav, self.path));
  else if (self.isDir && depth === 'infinity') entries = await walk(dav, self, dav.options.infinityLimit);
  const want = wants(request);
  const src: PropSources = {
    dav,
    locks,
    dead: want.dead ? await deadProps(dav, entries, depth) : new Map(),
    activeLocks: want.locks ? await locksFor(locks, self, depth) : undefined,
    mime: new Map(),
    dirHrefs: new Map(),
  };
  const parts: string[] = [MULTISTATUS_OPEN];
  // Entries with no dead properties, in an area with no locks, render the same every time.
  const sig = `${dav.options.prefix}\n${dav.principal.user.basePath}\n${JSON.stringify(request)}`;
  const reusable = !src.activeLocks || src.activeLocks.length === 0;
  const cache = dav.options.renderCache;
  for (const e of entries) {
    if (!reusable || src.dead.has(e.path)) {
      parts.push(renderEntry(src, e, request));
      continue;
    }
    const hit = cache.get(e);
    if (hit?.sig === sig) {
      parts.push(hit.xml);
      continue;
    }
    const xml = renderEntry(src, e, request);
    cache.set(e, { sig, xml });
    parts.push(xml);
  }
  parts.push(MULTISTATUS_CLOSE);
  if (dav.stale) reply.header('X-Filebridge-Stale', dav.stale.toISOString());
  return reply.code(207).type('application/xml; charset=utf-8').send(parts.join(''));
}
