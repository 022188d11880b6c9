import { randomUUID } from 'node:crypto';
import type { TestContext } from 'vitest';
import type { Driver, DriverFacts, Entry } from '../../src/core/storage/index.js';
import { bodyOf, capability, join, readAll } from './helpers.js';

export interface ConformanceSetup {
  driver: Driver;
  facts: DriverFacts;
  /** Called once after every test; closes whatever setup started. */
  cleanup(): Promise<void>;
}

export const TEXT = '0123456789abcdef';
export const MiB = 1024 * 1024;

/** What every section of the suite shares: the driver under test and per-test working folders. */
export interface Kit {
  /** Folder below the root that holds every test's working folder. */
  base: string;
  /** Filled by the suite's beforeAll. */
  state: { env?: ConformanceSetup };
  driver(): Driver;
  facts(): DriverFacts;
  /** A fresh folder for one test, so tests stay independent. */
  work(t: TestContext): Promise<string>;
  /** Writes a small file with its size declared; skips the test when the driver has no write. */
  put(t: TestContext, path: string, data: string | Buffer): Promise<Entry>;
  /** Reads a whole file as UTF-8. */
  text(path: string): Promise<string>;
}

export function createKit(): Kit {
  const state: { env?: ConformanceSetup } = {};
  let n = 0;
  const env = (): ConformanceSetup => {
    if (!state.env) throw new Error('conformance setup failed');
    return state.env;
  };
  const kit: Kit = {
    base: `conformance-${randomUUID().slice(0, 8)}`,
    state,
    driver: () => env().driver,
    facts: () => env().facts,
    async work(t) {
      const dir = join(kit.base, `t${++n}`);
      const d = env().driver;
      if (d.mkdir) await d.mkdir(dir);
      else capability(t, d, 'write'); // without mkdir, writes create the folder
      return dir;
    },
    async put(t, path, data) {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      return capability(t, env().driver, 'write')(path, bodyOf(buf), { size: buf.length });
    },
    async text(path) {
      return (await readAll((await env().driver.read(path)).stream)).toString();
    },
  };
  return kit;
}
