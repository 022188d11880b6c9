import type { RawBuilder } from 'kysely';
import { sql } from '../db/kysely.js';
import { TRIGRAM, charCount } from './fold.js';
import { likeEscape, parentWithin } from './ranges.js';
import type { SearchStore } from './store.js';

export interface SearchQuery {
  /** Folded words, each to be a substring of the folded name. */
  words: readonly string[];
  /** The folded keywords as typed (words joined by one space), for ranking. */
  whole: string;
  /** The folder searched, its subtree included. */
  root: string;
  /** 0 everything, 1 folders, 2 files. */
  scope: number;
  /** The storages whose entries may be returned (those mounted now). */
  storages: readonly number[];
  /** Folders whose subtrees are left out (the asker may not enter them). */
  exclude: readonly string[];
  /** Use the trigram index (`database`), or scan (`database_non_full_text`). */
  fullText: boolean;
}

export interface SearchHit {
  parent: string;
  name: string;
  isDir: boolean;
  size: number;
  modified: string | null;
}

function quotePhrase(word: string): string {
  return `"${word.replace(/"/g, '""')}"`;
}

function conditions(store: SearchStore, q: SearchQuery): RawBuilder<boolean>[] {
  const where: RawBuilder<boolean>[] = [];
  where.push(sql<boolean>`storage_id IN (${sql.join(q.storages.map((s) => sql`${s}`))})`);
  if (q.root !== '/') where.push(parentWithin(q.root));
  for (const path of q.exclude) where.push(sql<boolean>`NOT ${parentWithin(path)}`);
  if (q.scope === 1) where.push(sql<boolean>`is_dir = 1`);
  if (q.scope === 2) where.push(sql<boolean>`is_dir = 0`);
  const long = q.words.filter((w) => charCount(w) >= TRIGRAM);
  const sqlite = store.engine === 'sqlite';
  if (q.fullText && sqlite && long.length > 0) {
    // The trigram index finds candidates; the exact substring test below keeps only true matches.
    where.push(sql<boolean>`id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ${long.map(quotePhrase).join(' ')})`);
  }
  for (const w of q.words) {
    if (q.fullText && !sqlite) where.push(sql<boolean>`key LIKE ${`%${likeEscape(w)}%`}`);
    else if (sqlite) where.push(sql<boolean>`instr(key, ${w}) > 0`);
    else where.push(sql<boolean>`strpos(key, ${w}) > 0`);
  }
  return where;
}

/** Exact name first, then names starting with the keywords, then the rest; by name, then folder. */
function ranking(q: SearchQuery): RawBuilder<number> {
  const n = charCount(q.whole);
  return sql<number>`CASE WHEN key = ${q.whole} THEN 0 WHEN substr(key, 1, ${n}) = ${q.whole} THEN 1 ELSE 2 END`;
}

/** Matches in rank order, `limit` of them from `offset`. */
export async function findPage(store: SearchStore, q: SearchQuery, offset: number, limit: number): Promise<SearchHit[]> {
  if (q.storages.length === 0 || q.words.length === 0) return [];
  const where = sql.join(conditions(store, q), sql` AND `);
  const { rows } = await sql<{ parent: string; name: string; is_dir: number; size: number | string; modified: string | null }>`
    SELECT parent, name, is_dir, size, modified FROM search_nodes WHERE ${where}
    ORDER BY ${ranking(q)}, name, parent LIMIT ${limit} OFFSET ${offset}`.execute(store.db);
  return rows.map((r) => ({ parent: r.parent, name: r.name, isDir: Number(r.is_dir) === 1, size: Number(r.size), modified: r.modified }));
}

/** How many entries match. */
export async function countMatches(store: SearchStore, q: SearchQuery): Promise<number> {
  if (q.storages.length === 0 || q.words.length === 0) return 0;
  const where = sql.join(conditions(store, q), sql` AND `);
  const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM search_nodes WHERE ${where}`.execute(store.db);
  return Number(rows[0]?.n ?? 0);
}
