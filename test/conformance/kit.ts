import { randomUUID } from 'node:crypto';
import type { TestContext } from 'vitest';
import type { Driver, DriverFacts, Entry } from '../../src/core/storage/index.js';
import { bodyOf, capability, join, readAll } from './helpers.js';

export interface ConformanceSetup {
  driver: Driver;
  facts: DriverFacts;
  /** Called once after every test; closes whatever setup started. */
  cleanup(): Promise<void>;
  /**
   * For a read-only driver (no write, no mkdir): puts files and folders where the driver shows
   * them under the same paths and content (in the storage or text it is a view of), so the
   * list, stat, read, name and fact sections run; the write and tree sections skip.
   */
  seed?: Seed;
}

export interface Seed {
  put(path: string, data: Buffer): Promise<void>;
  mkdir(path: string): Promise<void>;
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
  /** Writes a small file with its size declared (or seeds it, for a read-only driver with a seed); skips the test when it can do neither. */
  put(t: TestContext, path: string, data: string | Buffer): Promise<Entry>;
  /** Writes through the driver only: skips the test when the driver has no write (the write sections). */
  putWrite(t: TestContext, path: string, data: string | Buffer): Promise<Entry>;
  /** Whether files are seeded, not written: the driver is read-only and the setup gave a seed. */
  seeded(): boolean;
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
      const seed = env().seed;
      if (d.mkdir) await d.mkdir(dir);
      else if (!d.write && seed) await seed.mkdir(dir);
      else capability(t, d, 'write'); // without mkdir, writes create the folder
      return dir;
    },
    async put(t, path, data) {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      const { driver: d, seed } = env();
      if (!d.write && seed) {
        await seed.put(path, buf);
        return d.stat(path);
      }
      return kit.putWrite(t, path, buf);
    },
    async putWrite(t, path, data) {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      return capability(t, env().driver, 'write')(path, bodyOf(buf), { size: buf.length });
    },
    seeded: () => !env().driver.write && env().seed !== undefined,
    async text(path) {
      return (await readAll((await env().driver.read(path)).stream)).toString();
    },
  };
  return kit;
}
