import { FsError } from '../../core/errors.js';
import type { NameEscaper } from './escape.js';

/** One name of the alias and the tree folders (absolute paths, in the order given) merged under it. */
export interface AliasKey {
  name: string;
  roots: string[];
}

/** Where an alias-relative path lives: the folders that may hold it and the path below each. */
export type Place = { kind: 'top' } | { kind: 'inside'; key: AliasKey; sub: string };

/** Normalises a configured tree path: absolute, single slashes, no trailing slash, no `.` or `..`. */
export function treePath(raw: string): string {
  const parts = raw.trim().split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw new FsError('invalid_input', `alias: path "${raw.trim()}" must not contain ".."`);
  return `/${parts.join('/')}`;
}

/** OpenList's getPair: `name:path` when the part before the first ":" has no "/", else the path's last name. */
function pair(line: string): { name: string; path: string } {
  const at = line.indexOf(':');
  if (at >= 0 && !line.slice(0, at).includes('/')) return { name: line.slice(0, at).trim(), path: line.slice(at + 1) };
  const path = treePath(line);
  return { name: path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1), path };
}

/** The tree path `root` joined with the relative `sub` ("" for the root itself). */
export const under = (root: string, sub: string): string => (sub === '' ? root : root === '/' ? `/${sub}` : `${root}/${sub}`);

/**
 * The folders an Alias shows, from its `paths` option: one line each, `name:` optional, lines of
 * one name merged in order. One name: the alias root is that name's folders merged; several: the
 * root lists the names and each name is its folders merged.
 */
export class Layout {
  readonly keys: AliasKey[];
  private readonly byName = new Map<string, AliasKey>();

  constructor(paths: string) {
    for (const raw of paths.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const { name, path } = pair(line);
      const root = treePath(path);
      let key = this.byName.get(name);
      if (!key) {
        key = { name, roots: [] };
        this.byName.set(name, key);
      }
      if (!key.roots.includes(root)) key.roots.push(root);
    }
    this.keys = [...this.byName.values()];
    if (this.keys.length === 0) throw new FsError('invalid_input', 'alias: paths is required (one folder of the tree a line)');
    if (this.keys.length > 1) {
      for (const k of this.keys) {
        if (k.name === '' || k.name === '.' || k.name === '..' || k.name === '/') throw new FsError('invalid_input', `alias: "${k.name}" cannot be a name in the alias root; write name:${k.roots[0]}`);
      }
    }
  }

  /** Whether the root shows the names (several) rather than one name's merged folders. */
  get multi(): boolean {
    return this.keys.length > 1;
  }

  /** Every configured folder, once. */
  allRoots(): string[] {
    return [...new Set(this.keys.flatMap((k) => k.roots))];
  }

  /** Where `rel` lives; not_found for a name the root does not have. */
  place(rel: string): Place {
    const first = this.keys[0] as AliasKey;
    if (!this.multi) return { kind: 'inside', key: first, sub: rel };
    if (rel === '') return { kind: 'top' };
    const slash = rel.indexOf('/');
    const name = slash < 0 ? rel : rel.slice(0, slash);
    const key = this.byName.get(name);
    if (!key) throw new FsError('not_found', `"/${rel}": the alias has no folder "${name}"`);
    return { kind: 'inside', key, sub: slash < 0 ? '' : rel.slice(slash + 1) };
  }

  /**
   * The tree paths `rel` may stand for, for the authorization gate: each folder's path below it,
   * escaped and as spelled. Lexical, no look-ups: every backend that could answer is named.
   */
  realPaths(rel: string, names: NameEscaper): string[] {
    let place: Place;
    try {
      place = this.place(rel);
    } catch {
      return [];
    }
    if (place.kind === 'top') return [];
    const out = new Set<string>();
    for (const root of place.key.roots) {
      out.add(under(root, names.encodePath(place.sub)));
      out.add(under(root, place.sub));
    }
    return [...out];
  }
}
