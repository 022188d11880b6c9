import { XMLParser } from '../../lib/fast-xml.js';
import { FsError } from '../../core/errors.js';

/** The properties asked for in every PROPFIND. */
export const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/></d:prop></d:propfind>';

/** One resource of a multistatus answer; `path` is the percent-decoded URL path, without a trailing slash. */
export interface DavResource {
  path: string;
  isDir: boolean;
  size: number;
  mtime?: Date;
}

interface RawPropstat {
  status?: unknown;
  prop?: { resourcetype?: unknown; getcontentlength?: unknown; getlastmodified?: unknown };
}
interface RawResponse {
  href?: unknown;
  propstat?: RawPropstat[];
}

/** Decodes a URL path; a server that left a stray "%" in a name gets its text back as sent. */
export function decodePath(pathname: string): string {
  return pathname
    .split('/')
    .map((seg) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        return seg;
      }
    })
    .join('/');
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object' && v !== null && '#text' in v) return text((v as { '#text': unknown })['#text']);
  return undefined;
}

function isCollection(resourcetype: unknown): boolean {
  return typeof resourcetype === 'object' && resourcetype !== null && 'collection' in resourcetype;
}

function okProps(propstats: RawPropstat[] | undefined): RawPropstat['prop'] {
  const good = (propstats ?? []).filter((p) => {
    const status = text(p.status);
    return status === undefined || / 2\d\d /.test(`${status} `);
  });
  return Object.assign({}, ...good.map((p) => p.prop ?? {})) as RawPropstat['prop'];
}

function toResource(r: RawResponse, requestUrl: string): DavResource | undefined {
  const href = text(r.href);
  if (href === undefined) return undefined;
  // Hrefs may be absolute URLs or absolute paths; both resolve against the request URL.
  const path = decodePath(new URL(href, requestUrl).pathname).replace(/\/+$/, '');
  const prop = okProps(r.propstat) ?? {};
  const isDir = isCollection(prop.resourcetype);
  const length = Number(text(prop.getcontentlength) ?? '0');
  const modified = text(prop.getlastmodified);
  const mtime = modified === undefined ? undefined : new Date(modified);
  return { path, isDir, size: isDir || !Number.isFinite(length) ? 0 : length, ...(mtime && !Number.isNaN(mtime.getTime()) ? { mtime } : {}) };
}

/**
 * Parses a 207 multistatus body. Namespace prefixes are dropped (servers use d:, D:, lp1: or
 * none); entities are decoded; tag values are kept as strings.
 */
export function parseMultistatus(xml: string, requestUrl: string, where: string): DavResource[] {
  const parser = new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: true,
    parseTagValue: false,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => name === 'response' || name === 'propstat',
  });
  let doc: { multistatus?: { response?: RawResponse[] } };
  try {
    doc = parser.parse(xml) as typeof doc;
  } catch (err) {
    throw new FsError('upstream_error', `${where}: the server sent a PROPFIND answer that is not XML`, { cause: err });
  }
  const responses = doc.multistatus?.response;
  if (!Array.isArray(responses)) throw new FsError('upstream_error', `${where}: the server sent no multistatus answer`);
  return responses.flatMap((r) => toResource(r, requestUrl) ?? []);
}
