import cluster from 'node:cluster';
import { Command } from 'commander';
import { runPrimary, serveAsWorker, workerCount } from '../cluster/workers.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
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
      // The primary loads (and persists) the configuration before forking: workers read the same secret.
      const config = ctx.config({ data: o.data, db: o.db, host: o.host, port: o.port, site_url: o.siteUrl, log_level: o.logLevel }, true);
      const count = workerCount(config.workers);
      if (count > 1 && cluster.isPrimary) {
        // Migrations (and the secret key file) once, before any worker opens the database.
        const { database } = await ctx.openDatabase(config);
        await database.close();
        process.exitCode = await runPrimary({ count, logger: createLogger({ level: config.log_level }).child({ role: 'primary' }) });
        return;
      }
      if (cluster.isWorker) {
        const worker = await ctx.start({ config }).catch((err: unknown) => {
          // The IPC channel would keep a failed worker alive: it exits, and the primary decides.
          process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
          process.exit(1);
        });
        return serveAsWorker(() => worker.close(), { onError: (err) => process.stderr.write(`${String(err)}\n`) });
      }
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
