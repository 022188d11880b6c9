import type { StrmOptions } from './options.js';

/** Characters Go's url.PathEscape leaves as they are (unreserved, and $&+:=@). */
const KEPT = /^[A-Za-z0-9\-_.~$&+:=@]$/;

/** One path segment escaped as Go's url.PathEscape does (OpenList's utils.EncodePath(path, true)). */
export function pathEscape(segment: string): string {
  let out = '';
  for (const ch of segment) {
    if (KEPT.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The extension OpenList matches types by (utils.SourceExt: after the last dot of the name, lower-cased here). */
export function extOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** A comma-separated type list as a set of lower-case extensions. */
export function typeSet(list: string, fallback: string): ReadonlySet<string> {
  const text = list.trim() === '' ? fallback : list;
  return new Set(
    text
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e !== ''),
  );
}

export type LinkOptions = Pick<StrmOptions, 'siteUrl' | 'PathPrefix' | 'encodePath' | 'withoutUrl'>;

/**
 * What a .strm file holds for the file at the absolute tree path `path`, in OpenList's form:
 * [site URL] + path prefix + the path (escaped with `encodePath`) + `?sign=` when signed.
 */
export function strmText(path: string, sign: string | undefined, o: LinkOptions, siteUrl: string): string {
  let final = o.encodePath ? path.split('/').map(pathEscape).join('/') : path;
  if (sign !== undefined) final = `${final}?sign=${sign}`;
  const prefix = o.PathPrefix.trim().replace(/\/+$/, '');
  if (prefix !== '') final = `${prefix.startsWith('/') ? '' : '/'}${prefix}${final}`;
  if (!final.startsWith('/')) final = `/${final}`;
  if (o.withoutUrl) return final;
  const base = (o.siteUrl.trim() || siteUrl).replace(/\/+$/, '');
  return `${base}${final}`;
}
