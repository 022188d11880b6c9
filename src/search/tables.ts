/** The search index's tables (migration 20261207010000_search_index): this module's own. */
import type { Generated, Kysely } from 'kysely';

export interface SearchNodesTable {
  id: Generated<number>;
  storage_id: number;
  parent: string;
  name: string;
  key: string;
  is_dir: number;
  size: number | string;
  modified: string | null;
}

export interface SearchCrawlTable {
  storage_id: number;
  path: string;
  depth: number;
}

/** `state`: queued (to crawl), running, done, stopped (by the admin), cleared (not to crawl until asked). */
export interface SearchMountsTable {
  storage_id: number;
  mount_path: string;
  state: string;
  max_depth: number;
  started_at: string | null;
  done_at: string | null;
  listed: number;
  error: string;
}

export interface SearchTables {
  search_nodes: SearchNodesTable;
  search_crawl: SearchCrawlTable;
  search_mounts: SearchMountsTable;
}

export type SearchDb = Kysely<SearchTables>;

/** One indexed entry, by its virtual path. */
export interface IndexedEntry {
  parent: string;
  name: string;
  isDir: boolean;
  size: number;
  modified?: Date;
}
