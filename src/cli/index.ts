import { Command, Option } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config, ConfigKey } from '../config/schema.js';
import type { Database } from '../db/client.js';
import type { Repositories } from '../db/repositories/index.js';
import { adminCommands } from './admin.js';
import { backupCommands } from './backup.js';
import { migrateCommand } from './migrate.js';
import { signCommands } from './sign.js';
import { storageCommands } from './storage.js';
import { taskCommands } from './task.js';
import { tokenCommands } from './token.js';

export interface CliDeps {
  start(options: { config: Config }): Promise<{ close(): Promise<void> }>;
  openDatabase(config: Config): Promise<{ database: Database; repos: Repositories }>;
}

/** Shared by every command: load the configuration with these flags on top. */
export type ConfigLoader = (flags: Partial<Record<ConfigKey, unknown>>, persistSecret?: boolean) => Config;

export interface CommandContext extends CliDeps {
  config: ConfigLoader;
  /** Opens the database, runs `work`, closes it. */
  withDatabase<T>(flags: Partial<Record<ConfigKey, unknown>>, work: (repos: Repositories) => Promise<T>): Promise<T>;
  print(line: string): void;
}

export function dataOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data <dir>', 'data folder (config.json, database, files)').env('FILEBRIDGE_DATA'))
    .addOption(new Option('--db <url>', 'database: sqlite:<file> or postgres://...').env('FILEBRIDGE_DB'));
}

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
