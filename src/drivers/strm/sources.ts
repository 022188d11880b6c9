import { FsError } from '../../core/errors.js';

/** Where a storage-relative path of the Strm view comes from: a root name and the path below it. */
export interface Place {
  key: string;
  sub: string;
}

/** A tree path without a trailing slash and with one leading slash ("/" for the tree's root). */
function treePath(text: string): string {
  const parts = text.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new FsError('invalid_input', `paths: "${text}" must not contain ".."`);
  return `/${parts.join('/')}`;
}

/** OpenList's reading of one line: `name:path` when the part before the first ":" has no "/", else the path, named by its last segment. */
function pair(line: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon >= 0 && !line.slice(0, colon).includes('/')) return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  const path = treePath(line);
  return [path.slice(path.lastIndexOf('/') + 1), line];
}

/**
 * The `paths` option: root names and the tree folders each shows (a name given twice shows its
 * folders merged). One name: its folders are the root itself (OpenList's auto-flatten).
 */
export class Sources {
  readonly byKey = new Map<string, string[]>();
  readonly flat: string | undefined;

  constructor(text: string) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const [key, path] = pair(line);
      if (key === '' || key === '.' || key === '..') throw new FsError('invalid_input', `paths: "${line}" gives no folder name (write name:/path)`);
      if (path === '') throw new FsError('invalid_input', `paths: "${line}" gives no folder`);
      const dsts = this.byKey.get(key) ?? [];
      dsts.push(treePath(path));
      this.byKey.set(key, dsts);
    }
    if (this.byKey.size === 0) throw new FsError('invalid_input', 'paths is required');
    this.flat = this.byKey.size === 1 ? [...this.byKey.keys()][0] : undefined;
  }

  /** The root name and sub-path of `rel`, or undefined for the root of a multi-folder view. */
  place(rel: string): Place | undefined {
    if (this.flat !== undefined) return { key: this.flat, sub: rel };
    if (rel === '') return undefined;
    const slash = rel.indexOf('/');
    return slash < 0 ? { key: rel, sub: '' } : { key: rel.slice(0, slash), sub: rel.slice(slash + 1) };
  }

  /** The tree folders (or files) `place` stands for, or not_found for an unknown root name. */
  targets(place: Place, rel: string): string[] {
    const dsts = this.byKey.get(place.key);
    if (!dsts) throw new FsError('not_found', `"/${rel}": no such file or folder`);
    return dsts.map((d) => joinTree(d, place.sub));
  }
}

/** `dir` (an absolute tree path) joined with a relative path. */
export function joinTree(dir: string, rel: string): string {
  if (rel === '') return dir;
  return dir === '/' ? `/${rel}` : `${dir}/${rel}`;
}
