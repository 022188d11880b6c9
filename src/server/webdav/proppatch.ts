import type { FastifyReply } from 'fastify';
import type { DavPropChange } from '../../db/repositories/index.js';
import { type DavRequest, allow, hrefOf } from './context.js';
import { DavError } from './errors.js';
import type { DavLocks } from './locks.js';
import { MULTISTATUS_CLOSE, MULTISTATUS_OPEN, PROTECTED_PROPS, propElement, statusLine } from './props.js';
import { DAV_NS, type XmlElement, childElements, escapeXml, innerXml, isDav, readXml } from './xml.js';

/** The set/remove operations of a DAV:propertyupdate, in document order. */
export function changesOf(body: XmlElement | undefined): DavPropChange[] {
  if (!body || !isDav(body, 'propertyupdate')) throw new DavError(400, 'expected a DAV:propertyupdate element');
  const changes: DavPropChange[] = [];
  for (const op of childElements(body)) {
    if (!isDav(op, 'set') && !isDav(op, 'remove')) continue;
    for (const prop of childElements(op).filter((c) => isDav(c, 'prop'))) {
      for (const p of childElements(prop)) {
        if (op.name === 'set') changes.push({ op: 'set', ns: p.ns, name: p.name, value: innerXml(p) });
        else changes.push({ op: 'remove', ns: p.ns, name: p.name });
      }
    }
  }
  if (changes.length === 0) throw new DavError(400, 'DAV:propertyupdate changes nothing');
  return changes;
}

/** PROPPATCH (RFC 4918 §9.2): dead properties in the database; live ones refused, all or nothing. */
export async function proppatch(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'props');
  const changes = changesOf(await readXml(dav.req.raw));
  const { tokens } = await locks.checkIf(dav);
  const entry = await dav.deps.fs.stat(dav.path);
  await locks.requireUnlocked(dav, tokens, [{ path: dav.path }]);
  const refused = (c: DavPropChange) => c.ns === DAV_NS && PROTECTED_PROPS.has(c.name);
  const anyRefused = changes.some(refused);
  if (!anyRefused) await dav.deps.repos.davProps.apply(dav.path, changes);
  const seen = new Set<string>();
  const byStatus = new Map<number, string>();
  for (const c of changes) {
    const key = `${c.ns}\u0000${c.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const status = !anyRefused ? 200 : refused(c) ? 403 : 424;
    byStatus.set(status, (byStatus.get(status) ?? '') + propElement(c));
  }
  let body = `${MULTISTATUS_OPEN}<D:response><D:href>${escapeXml(hrefOf(dav, dav.path, entry.isDir))}</D:href>`;
  for (const [status, props] of byStatus) {
    const error = status === 403 ? '<D:error><D:cannot-modify-protected-property/></D:error>' : '';
    body += `<D:propstat><D:prop>${props}</D:prop>${statusLine(status)}${error}</D:propstat>`;
  }
  body += `</D:response>${MULTISTATUS_CLOSE}`;
  return reply.code(207).type('application/xml; charset=utf-8').send(body);
}
