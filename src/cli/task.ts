import { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { TaskState } from '../tasks/states.js';
import { TaskStore } from '../tasks/store.js';
import { type CommandContext, dataOptions } from './context.js';

const STATE_NAMES = Object.fromEntries(Object.entries(TaskState).map(([name, n]) => [n, name.replace(/[A-Z]/g, (c, i: number) => (i ? ' ' : '') + c.toLowerCase())]));

/** `filebridge task list | cancel | retry`: works on the queue in the database, server running or not. */
export function taskCommands(ctx: CommandContext): Command {
  const cmd = new Command('task').description('durable tasks (copies and moves between storages); a running server sees changes on its next look at the queue');
  const withStore = async <T>(o: { data?: string; db?: string }, work: (store: TaskStore) => Promise<T>): Promise<T> => {
    const config: Config = ctx.config({ data: o.data, db: o.db });
    const { database } = await ctx.openDatabase(config);
    try {
      return await work(new TaskStore(database.db, database.engine));
    } finally {
      await database.close();
    }
  };
  dataOptions(cmd.command('list').description('list tasks'))
    .option('--undone', 'only tasks that are not finished')
    .action(async (o: { data?: string; db?: string; undone?: boolean }) => {
      await withStore(o, async (store) => {
        for (const t of await store.list()) {
          if (o.undone && [TaskState.Succeeded, TaskState.Canceled, TaskState.Failed].includes(t.state as never)) continue;
          const pct = t.totalBytes > 0 ? Math.floor((t.doneBytes / t.totalBytes) * 100) : t.state === TaskState.Succeeded ? 100 : 0;
          ctx.print(`${t.id}\t${t.kind}\t${STATE_NAMES[t.state] ?? t.state}\t${pct}%\t${t.doneItems}/${t.totalItems} items\t${t.creatorName}\t${t.name}${t.error ? `\t${t.error}` : ''}`);
        }
      });
    });
  dataOptions(cmd.command('cancel <id>').description('cancel a task; running files stop, finished ones stay')).action(async (id: string, o: { data?: string; db?: string }) => {
    await withStore(o, async (store) => {
      if (!(await store.cancel(id))) throw new Error(`task ${id} is not running or does not exist`);
      ctx.print(`task ${id} canceled`);
    });
  });
  dataOptions(cmd.command('retry <id>').description('run a failed or canceled task again (finished files are kept)')).action(async (id: string, o: { data?: string; db?: string }) => {
    await withStore(o, async (store) => {
      if (!(await store.retry(id))) throw new Error(`task ${id} has not failed or been canceled, or does not exist`);
      ctx.print(`task ${id} queued again`);
    });
  });
  return cmd;
}
