import type { RawBuilder } from 'kysely';
import { sql } from '../db/kysely.js';

/**
 * `parent` within the folder `path` (the folder itself or any folder below it): one range of the
 * (parent, name) index, as `parent` compares byte-wise ('0' follows '/').
 */
export function parentWithin(path: string): RawBuilder<boolean> {
  if (path === '/') return sql<boolean>`1 = 1`;
  return sql<boolean>`(parent = ${path} OR (parent >= ${`${path}/`} AND parent < ${`${path}0`}))`;
}

/** Where an entry at `path` and everything below it are. */
export function treeAt(parent: string, name: string, path: string): RawBuilder<boolean> {
  return sql<boolean>`((parent = ${parent} AND name = ${name}) OR ${parentWithin(path)})`;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern (backslash is PostgreSQL's default escape). */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
