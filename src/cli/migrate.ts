import { Command } from 'commander';
import { migrateDown, migrationStatus } from '../db/migrate.js';
import { type CommandContext, dataOptions } from './context.js';

/** `filebridge migrate [--down] [--status]`: the server migrates up by itself at start. */
export function migrateCommand(ctx: CommandContext): Command {
  return dataOptions(new Command('migrate'))
    .description('apply database migrations (done at every start), show them, or undo the last one')
    .option('--down', 'undo the most recent migration')
    .option('--status', 'list migrations and whether each is applied')
    .action(async (o: { data?: string; db?: string; down?: boolean; status?: boolean }) => {
      const { database } = await ctx.openDatabase(ctx.config({ data: o.data, db: o.db }));
      try {
        if (o.down) for (const step of await migrateDown(database)) ctx.print(`reverted ${step.name}`);
        if (o.status || !o.down) {
          for (const m of await migrationStatus(database)) ctx.print(`${m.executedAt ? 'applied' : 'pending'}  ${m.name}`);
        }
      } finally {
        await database.close();
      }
    });
}
