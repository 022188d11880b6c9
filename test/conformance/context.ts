import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Agent } from 'undici';
import { EMPTY_TREE, NO_SITE } from '../../src/core/storage/empty-tree.js';
import type { Driver, DriverContext, TokenStore } from '../../src/core/storage/index.js';

export interface DriverTestContext {
  ctx: DriverContext;
  /** Aborts the mount signal, closes the dispatcher and removes the temp dir. */
  cleanup(): Promise<void>;
}

/** An in-memory token store, as the database-backed one behaves (copies in, copies out). */
export function memoryTokenStore(initial?: Record<string, unknown>): TokenStore & { saves: number } {
  let value = initial === undefined ? undefined : structuredClone(initial);
  let held: Promise<unknown> = Promise.resolve();
  const store = {
    saves: 0,
    // One process: a promise chain is the lock.
    withLock: <T>(_ttlMs: number, work: () => Promise<T>): Promise<T> => {
      const run = held.then(work, work);
      held = run.catch(() => undefined);
      return run;
    },
    load: async () => (value === undefined ? undefined : structuredClone(value)),
    save: async (next: Record<string, unknown>) => {
      value = structuredClone(next);
      store.saves++;
    },
  };
  return store;
}

/** Builds a DriverContext for tests: silent logger, own dispatcher, memory tokens, temp dir. */
export async function createTestContext(): Promise<DriverTestContext> {
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-ctx-'));
  const dispatcher = new Agent({ connections: 8 });
  const lifetime = new AbortController();
  const ctx: DriverContext = {
    logger: pino({ level: 'silent' }),
    dispatcher,
    tokens: memoryTokenStore(),
    tempDir,
    signal: lifetime.signal,
    tree: EMPTY_TREE,
    site: NO_SITE,
  };
  return {
    ctx,
    async cleanup() {
      lifetime.abort();
      await dispatcher.close();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

/**
 * A driver built from raw options (parsed by its definition) on a fresh test context; `dispose`
 * closes both. For tests that need several drivers against one server.
 */
export async function driverFromOptions(
  def: { schema: { parse(v: unknown): unknown }; create(options: never, ctx: DriverContext): Driver },
  options: Record<string, unknown>,
): Promise<{ driver: Driver; dispose(): Promise<void> }> {
  const { ctx, cleanup } = await createTestContext();
  const driver = def.create(def.schema.parse(options) as never, ctx);
  return {
    driver,
    async dispose() {
      await driver.close?.();
      await cleanup();
    },
  };
}
