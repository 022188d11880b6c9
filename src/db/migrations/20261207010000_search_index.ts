import type { Kysely, Migration } from 'kysely';
import { sql } from '../kysely.js';
import type { Engine } from '../client.js';
import { withIdColumn } from './helpers.js';

// Migrations receive Kysely<any> on purpose: they must not depend on today's schema types.

/**
 * The search index (src/search): `search_nodes` one row per indexed entry, by virtual path
 * (`parent`, `name`) and the storage that serves it, with `key`, the name folded for matching
 * (lower case, Latin diacritics removed, NFKC). Substring matching is indexed by trigrams: an FTS5
 * table with the trigram tokenizer kept in step by triggers on SQLite, a pg_trgm GIN index on
 * PostgreSQL. `parent` compares byte-wise on both engines (COLLATE "C" on PostgreSQL), so a
 * folder's subtree is one range of the unique index.
 *
 * `search_crawl` is the frontier of each storage's background crawl (folders still to list) and
 * `search_mounts` each storage's crawl state: a crawl stopped by a restart goes on from there.
 * The retired `walk` value of `search_index` becomes `database`. Safe to run again (IF NOT EXISTS).
 */
export function searchIndex(engine: Engine): Migration {
  const pg = engine === 'postgres';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withIdColumn(db.schema.createTable('search_nodes').ifNotExists(), engine)
        .addColumn('storage_id', 'integer', (c) => c.notNull())
        .addColumn('parent', 'text', (c) => (pg ? c.notNull().modifyFront(sql`collate "C"`) : c.notNull()))
        .addColumn('name', 'text', (c) => (pg ? c.notNull().modifyFront(sql`collate "C"`) : c.notNull()))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('is_dir', 'integer', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('modified', 'text')
        .addUniqueConstraint('search_nodes_path', ['parent', 'name'])
        .execute();
      await db.schema.createIndex('search_nodes_storage').ifNotExists().on('search_nodes').columns(['storage_id', 'parent']).execute();
      if (pg) {
        await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
        await sql`CREATE INDEX IF NOT EXISTS search_nodes_key_trgm ON search_nodes USING gin (key gin_trgm_ops)`.execute(db);
      } else {
        await sql`CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(key, content='search_nodes', content_rowid='id', tokenize='trigram')`.execute(db);
        await sql`CREATE TRIGGER IF NOT EXISTS search_nodes_fts_insert AFTER INSERT ON search_nodes BEGIN
            INSERT INTO search_fts (rowid, key) VALUES (new.id, new.key);
          END`.execute(db);
        await sql`CREATE TRIGGER IF NOT EXISTS search_nodes_fts_delete AFTER DELETE ON search_nodes BEGIN
            INSERT INTO search_fts (search_fts, rowid, key) VALUES ('delete', old.id, old.key);
          END`.execute(db);
        await sql`CREATE TRIGGER IF NOT EXISTS search_nodes_fts_update AFTER UPDATE OF key ON search_nodes BEGIN
            INSERT INTO search_fts (search_fts, rowid, key) VALUES ('delete', old.id, old.key);
            INSERT INTO search_fts (rowid, key) VALUES (new.id, new.key);
          END`.execute(db);
      }
      await db.schema
        .createTable('search_crawl')
        .ifNotExists()
        .addColumn('storage_id', 'integer', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('depth', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('search_crawl_pk', ['storage_id', 'path'])
        .execute();
      await db.schema
        .createTable('search_mounts')
        .ifNotExists()
        .addColumn('storage_id', 'integer', (c) => c.primaryKey())
        .addColumn('mount_path', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('max_depth', 'integer', (c) => c.notNull().defaultTo(-1))
        .addColumn('started_at', 'text')
        .addColumn('done_at', 'text')
        .addColumn('listed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await sql`UPDATE settings SET value = 'database' WHERE key = 'search_index' AND value = 'walk'`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('search_mounts').execute();
      await db.schema.dropTable('search_crawl').execute();
      if (!pg) {
        for (const t of ['insert', 'delete', 'update']) await sql`DROP TRIGGER IF EXISTS ${sql.id(`search_nodes_fts_${t}`)}`.execute(db);
        await sql`DROP TABLE IF EXISTS search_fts`.execute(db);
      }
      await db.schema.dropTable('search_nodes').execute();
      await sql`UPDATE settings SET value = 'walk' WHERE key = 'search_index' AND value IN ('database', 'database_non_full_text')`.execute(db);
    },
  };
}
