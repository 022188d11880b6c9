import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../client.js';
import { withIdColumn } from './helpers.js';

/**
 * Durable tasks: one row per task (copy, move, and the kinds to come) and one row per item of its
 * tree (a file or a folder to make), each claimed under a lease so several instances can share
 * the queue and a dead instance's work is taken over when its lease lapses.
 */
export function tasks(engine: Engine): Migration {
  const big = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('creator_id', 'integer', (c) => c.notNull())
        .addColumn('creator_name', 'text', (c) => c.notNull())
        .addColumn('creator_role', 'integer', (c) => c.notNull())
        .addColumn('state', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('src', 'text', (c) => c.notNull())
        .addColumn('dst', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('planned', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('total_bytes', big, (c) => c.notNull().defaultTo(0))
        .addColumn('done_bytes', big, (c) => c.notNull().defaultTo(0))
        .addColumn('total_items', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('done_items', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed_items', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('claimed_by', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('retry_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema.createIndex('tasks_state').on('tasks').columns(['state']).execute();
      await db.schema.createIndex('tasks_creator').on('tasks').columns(['creator_id']).execute();
      await withIdColumn(db.schema.createTable('task_items'), engine)
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('rel', 'text', (c) => c.notNull())
        .addColumn('is_dir', 'integer', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull().defaultTo(0))
        .addColumn('mtime', 'text')
        .addColumn('state', 'integer', (c) => c.notNull())
        .addColumn('done_bytes', big, (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('claimed_by', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('retry_at', 'text')
        .addUniqueConstraint('task_items_task_rel', ['task_id', 'rel'])
        .execute();
      await db.schema.createIndex('task_items_claim').on('task_items').columns(['task_id', 'state']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('task_items').execute();
      await db.schema.dropTable('tasks').execute();
    },
  };
}
