import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { adminCommands } from './admin.js';
import { type CliDeps, type CommandContext, type ConfigLoader, dataOptions } from './context.js';
import { backupCommands } from './backup.js';
import { migrateCommand } from './migrate.js';
import { signCommands } from './sign.js';
import { storageCommands } from './storage.js';
import { taskCommands } from './task.js';
import { tokenCommands } from './token.js';

export function buildCli(deps: CliDeps, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Command {
  const config: ConfigLoader = (flags, persistSecret = false) => loadConfig({ flags, persistSecret });
  const ctx: CommandContext = {
    ...deps,
    config,
    print,
    withDatabase: async (flags, work) => {
      const { database, repos } = await deps.openDatabase(config(flags));
      try {
        return await work(repos);
      } finally {
        await database.close();
      }
    },
  };
  const program = new Command('filebridge')
    .description('One file tree over many storages, served as an AList-compatible API, WebDAV and a web UI.')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(serverCommand(ctx), { isDefault: true });
  program.addCommand(adminCommands(ctx));
  program.addCommand(storageCommands(ctx));
  program.addCommand(tokenCommands(ctx));
  program.addCommand(signCommands(ctx));
  program.addCommand(taskCommands(ctx));
  program.addCommand(migrateCommand(ctx));
  for (const c of backupCommands(ctx)) program.addCommand(c);
  return program;
}

function serverCommand(ctx: CommandContext): Command {
  return dataOptions(new Command('server'))
    .description('run the server')
    .option('--host <host>', 'address to listen on')
    .option('--port <port>', 'port to listen on (default 5244)')
    .option('--site-url <url>', 'public URL of this server')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace')
    .action(async (o: Record<string, string | undefined>) => {
      const config = ctx.config({ data: o.data, db: o.db, host: o.host, port: o.port, site_url: o.siteUrl, log_level: o.logLevel }, true);
      const running = await ctx.start({ config });
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running.close().finally(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

export type { CliDeps, CommandContext, ConfigLoader } from './context.js';
export { dataOptions } from './context.js';
