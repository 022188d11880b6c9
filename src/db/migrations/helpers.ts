import type { CreateTableBuilder } from 'kysely';
import type { Engine } from '../client.js';

/** Adds an auto-incrementing integer primary key `id`: AUTOINCREMENT on SQLite, serial on PostgreSQL. */
export function withIdColumn<TB extends string, C extends string>(
  table: CreateTableBuilder<TB, C>,
  engine: Engine,
): CreateTableBuilder<TB, C | 'id'> {
  if (engine === 'postgres') return table.addColumn('id', 'serial', (col) => col.primaryKey());
  return table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement());
}
