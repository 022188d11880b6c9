import { FsError } from './errors.js';

/** Longest single name a path segment may have (bytes, UTF-8), as common file systems allow. */
export const MAX_NAME_BYTES = 255;
/** Longest whole path accepted (bytes, UTF-8). */
export const MAX_PATH_BYTES = 4096;

/**
 * The one path normaliser. Takes an already percent-decoded path and returns the canonical
 * absolute virtual path: leading `/`, `/`-separated, no empty, `.` or `..` segments, no trailing
 * slash (except the root `/`). Anything that could escape or confuse is refused, not repaired:
 * `..` segments, NUL and control characters, backslashes, over-long names.
 */
export function normalizePath(input: string): string {
  if (typeof input !== 'string') throw new FsError('invalid_path', 'path must be a string');
  if (isCanonicalAscii(input)) return input;
  if (Buffer.byteLength(input, 'utf8') > MAX_PATH_BYTES) {
    throw new FsError('invalid_path', `path is longer than ${MAX_PATH_BYTES} bytes`);
  }
  const out: string[] = [];
  for (const seg of input.split('/')) {
    if (seg === '' || seg === '.') continue;
    checkName(seg);
    out.push(seg.normalize('NFC'));
  }
  return '/' + out.join('/');
}

/**
 * Printable ASCII segments without `\\`, each 1–255 characters, none `.` or `..`, no trailing
 * slash: already what {@link normalizePath} would return (NFC and NFKC leave ASCII alone), so
 * the common case is answered without splitting and checking each name.
 */
const CANONICAL_ASCII = /^(?:\/[\x20-\x2e\x30-\x5b\x5d-\x7e]{1,255})+$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

function isCanonicalAscii(input: string): boolean {
  return input.length <= MAX_PATH_BYTES && CANONICAL_ASCII.test(input) && !DOT_SEGMENT.test(input);
}

/** Checks one path segment (a file or folder name); throws invalid_path when it is unsafe. */
export function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..') {
    throw new FsError('invalid_path', name === '..' ? 'relative path segments (..) are not allowed' : 'empty name');
  }
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new FsError('invalid_path', 'control characters are not allowed in names');
  if (name.includes('\\')) throw new FsError('invalid_path', 'backslashes are not allowed in names');
  if (name.includes('/')) throw new FsError('invalid_path', 'a name cannot contain "/"');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new FsError('invalid_path', `name is longer than ${MAX_NAME_BYTES} bytes`);
  }
  // NFC look-alikes of "." and ".." (fullwidth full stops, one-dot leaders) that some file systems fold.
  const folded = name.normalize('NFKC');
  if (folded === '.' || folded === '..' || folded.includes('/') || folded.includes('\\')) {
    throw new FsError('invalid_path', 'name folds to a path separator or relative segment');
  }
}

/** Joins a normalised absolute path and a relative tail, then normalises the result. */
export function joinPath(base: string, ...parts: string[]): string {
  // Runs of slashes from the joins are collapsed first, so joined canonical parts stay canonical.
  return normalizePath([base, ...parts].join('/').replace(/\/{2,}/g, '/'));
}

export function parentPath(path: string): string {
  const p = normalizePath(path);
  if (p === '/') return '/';
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function baseName(path: string): string {
  const p = normalizePath(path);
  return p === '/' ? '' : p.slice(p.lastIndexOf('/') + 1);
}

/** True when `path` equals `prefix` or lies below it (both normalised absolute paths). */
export function isWithin(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || path.startsWith(prefix + '/');
}

/** The part of `path` below `prefix`, as a driver-relative path ("" for the prefix itself). */
export function relativeTo(path: string, prefix: string): string {
  if (!isWithin(path, prefix)) throw new FsError('invalid_path', `${path} is not within ${prefix}`);
  if (prefix === '/') return path.slice(1);
  return path.slice(prefix.length + 1);
}

/** Percent-decodes once, at the edge; malformed escapes become invalid_path. */
export function decodePathComponent(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new FsError('invalid_path', 'malformed percent-encoding in path');
  }
}
