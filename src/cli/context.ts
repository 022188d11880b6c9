import { Command, Option } from 'commander';
import type { Config, ConfigKey } from '../config/schema.js';
import type { Database } from '../db/client.js';
import type { Repositories } from '../db/repositories/index.js';

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
