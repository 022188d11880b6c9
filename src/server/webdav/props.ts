import { lookup } from '../../lib/mime.js';
import type { VEntry } from '../../core/virtual-fs.js';
import type { DavLockRecord, DavPropRecord } from '../../db/repositories/index.js';
import { etagOf } from '../http/serve-file.js';
import type { DavRequest } from './context.js';
import { encodeSegment, hrefOf } from './context.js';
import { type DavLocks, SUPPORTED_LOCK, covers } from './locks.js';
import { DAV_NS, escapeXml } from './xml.js';

/** A property name: namespace URI and local name. */
export interface PropName {
  ns: string;
  name: string;
}

/** Live properties this server computes; PROPPATCH may not change them. */
export const LIVE_PROPS = [
  'creationdate',
  'displayname',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'getlastmodified',
  'resourcetype',
  'supportedlock',
  'lockdiscovery',
] as const;
export const PROTECTED_PROPS: ReadonlySet<string> = new Set(LIVE_PROPS.filter((n) => n !== 'displayname'));

/** What one PROPFIND needs besides the entries: dead props and locks, fetched once. */
export interface PropSources {
  dav: DavRequest;
  locks: DavLocks;
  /** Dead properties by path. */
  dead: Map<string, DavPropRecord[]>;
  /** Locks that may cover the reported entries (undefined: not asked for). */
  activeLocks: DavLockRecord[] | undefined;
  mime: Map<string, string>;
  /** Hrefs of parent folders already encoded (a listing shares one parent). */
  dirHrefs: Map<string, string>;
}

/** The href of an entry, encoding only its own name when its parent's href is known. */
export function entryHref(src: PropSources, e: VEntry): string {
  const slash = e.path.lastIndexOf('/');
  if (slash < 0 || e.path === '/') return hrefOf(src.dav, e.path, e.isDir);
  const parent = slash === 0 ? '/' : e.path.slice(0, slash);
  let base = src.dirHrefs.get(parent);
  if (base === undefined) {
    base = hrefOf(src.dav, parent, true);
    src.dirHrefs.set(parent, base);
  }
  if (!base.endsWith('/')) return hrefOf(src.dav, e.path, e.isDir);
  return base + encodeSegment(e.name) + (e.isDir ? '/' : '');
}

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  424: 'Failed Dependency',
  507: 'Insufficient Storage',
};

export function statusLine(code: number): string {
  return `<D:status>HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? ''}</D:status>`;
}

function contentTypeOf(src: PropSources, name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  let t = src.mime.get(ext);
  if (t === undefined) {
    t = (ext && lookup(ext)) || 'application/octet-stream';
    src.mime.set(ext, t);
  }
  return t;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => (n < 10 ? '0' + n : String(n));

/** RFC 1123 date (as Date#toUTCString, without its slow generic path). */
export function httpDate(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

/** The inner XML of a live DAV: property, or undefined when the resource has none. */
export function liveValue(src: PropSources, e: VEntry, name: string): string | undefined {
  switch (name) {
    case 'resourcetype':
      return e.isDir ? '<D:collection/>' : '';
    case 'displayname':
      return escapeXml(e.name);
    case 'getlastmodified':
      return e.mtime ? httpDate(e.mtime) : undefined;
    case 'getcontentlength':
      return e.isDir ? undefined : String(e.size);
    case 'getcontenttype':
      return e.isDir ? undefined : contentTypeOf(src, e.name);
    case 'getetag':
      return e.isDir ? undefined : escapeXml(etagOf(e.size, e.mtime));
    case 'creationdate': {
      const d = e.ctime ?? e.mtime;
      return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
    }
    case 'supportedlock':
      return SUPPORTED_LOCK;
    case 'lockdiscovery':
      return (src.activeLocks ?? [])
        .filter((l) => covers(l, e.path))
        .map((l) => src.locks.activeLock(src.dav, l, l.root === e.path ? e.isDir : true))
        .join('');
    default:
      return undefined;
  }
}

/** `<x:name xmlns:x="ns">value</x:name>`, or the empty element when value is undefined. */
export function propElement(p: PropName, value?: string): string {
  if (p.ns === DAV_NS) return value === undefined || value === '' ? `<D:${p.name}/>` : `<D:${p.name}>${value}</D:${p.name}>`;
  const open = p.ns === '' ? `${p.name} xmlns=""` : `x:${p.name} xmlns:x="${escapeXml(p.ns)}"`;
  const close = p.ns === '' ? p.name : `x:${p.name}`;
  return value === undefined || value === '' ? `<${open}/>` : `<${open}>${value}</${close}>`;
}

/** One <D:response>: found properties under 200, missing ones under 404. */
export function responseXml(href: string, found: string, missing: string): string {
  // Hrefs are percent-encoded (no &, <, >, quotes left), so they need no XML escaping.
  let out = `<D:response><D:href>${href}</D:href>`;
  if (found !== '' || missing === '') out += `<D:propstat><D:prop>${found}</D:prop>${statusLine(200)}</D:propstat>`;
  if (missing !== '') out += `<D:propstat><D:prop>${missing}</D:prop>${statusLine(404)}</D:propstat>`;
  return out + '</D:response>';
}

export type PropRequest = { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; props: PropName[] };

const NONE: DavPropRecord[] = [];

/** Renders one entry for a PROPFIND. */
export function renderEntry(src: PropSources, e: VEntry, req: PropRequest): string {
  const href = entryHref(src, e);
  const dead = src.dead.get(e.path) ?? NONE;
  if (req.kind === 'propname') {
    const names = LIVE_PROPS.filter((n) => liveValue(src, e, n) !== undefined).map((n) => `<D:${n}/>`);
    return responseXml(href, names.join('') + dead.map((d) => propElement(d)).join(''), '');
  }
  if (req.kind === 'allprop') {
    let found = '';
    for (const n of LIVE_PROPS) {
      if (!PROTECTED_PROPS.has(n) && dead.some((d) => d.ns === DAV_NS && d.name === n)) continue;
      const v = liveValue(src, e, n);
      if (v !== undefined) found += propElement({ ns: DAV_NS, name: n }, v);
    }
    for (const d of dead) if (d.ns !== DAV_NS || !PROTECTED_PROPS.has(d.name)) found += propElement(d, d.value);
    return responseXml(href, found, '');
  }
  let found = '';
  let missing = '';
  for (const p of req.props) {
    const d = dead.length === 0 ? undefined : dead.find((x) => x.ns === p.ns && x.name === p.name);
    const v = p.ns === DAV_NS && !(d && !PROTECTED_PROPS.has(p.name)) ? liveValue(src, e, p.name) : undefined;
    if (v !== undefined) found += propElement(p, v);
    else if (d) found += propElement(p, d.value);
    else missing += propElement(p);
  }
  return responseXml(href, found, missing);
}

export const MULTISTATUS_OPEN = '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">';
export const MULTISTATUS_CLOSE = '</D:multistatus>\n';
