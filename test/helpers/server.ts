import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import type { Config, ConfigKey } from '../../src/config/schema.js';
import type { StorageInput } from '../../src/db/repositories/index.js';
import { builtinDrivers } from '../../src/drivers/all.js';
import type { AnyDriverDefinition } from '../../src/drivers/define-driver.js';
import { type Running, openDatabase, startFilebridge } from '../../src/main.js';
import { countingWriteDriver, faultyDriver, hangingDriver, passThroughDriver, shortWriteDriver } from './test-drivers.js';

export interface TestServer extends Running {
  dataDir: string;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  storages?: StorageInput[];
  config?: Partial<Record<ConfigKey, unknown>>;
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  /** The server's clock, for tests that move time. */
  now?: () => number;
  /** Wait until no mount is still pending (default true). */
  waitForMounts?: boolean;
}

export function testConfig(dataDir: string, extra: Partial<Record<ConfigKey, unknown>> = {}): Config {
  return loadConfig({
    env: {},
    persistSecret: true,
    flags: { data: dataDir, host: '127.0.0.1', port: 0, log_level: 'silent', retry_initial_ms: 50, retry_max_ms: 200, storage_poll_ms: 100, ...extra },
  });
}

export function testDrivers(): AnyDriverDefinition[] {
  return [...builtinDrivers(), hangingDriver as unknown as AnyDriverDefinition, faultyDriver as unknown as AnyDriverDefinition, shortWriteDriver as unknown as AnyDriverDefinition, countingWriteDriver as unknown as AnyDriverDefinition, passThroughDriver as unknown as AnyDriverDefinition];
}

/** Starts a real server on a free loopback port over a fresh data folder. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'filebridge-test-'));
  const config = testConfig(dataDir, options.config);
  if (options.storages) {
    const { database, repos } = await openDatabase(config);
    for (const s of options.storages) await repos.storages.create(s);
    await database.close();
  }
  const running = await startFilebridge({
    config,
    logger: pino({ level: 'silent' }),
    drivers: testDrivers(),
    env: { FILEBRIDGE_ADMIN_PASSWORD: 'admin-test-pass', ...options.env },
    now: options.now,
  });
  if (options.waitForMounts ?? true) {
    await waitFor(() => running.mounts.list().every((m) => m.status.state !== 'pending'), config.init_timeout_ms + 5_000, 'mounts to start');
  }
  return {
    ...running,
    dataDir,
    stop: async () => {
      await running.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true or the time runs out (for background state changes). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
