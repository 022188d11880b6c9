import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '../../src/core/storage/index.js';
import type { TcpCounter } from './tcp-counter.js';

export interface PoolSetup {
  /** A driver whose every upstream connection goes through `counter`. */
  driver: Driver;
  counter: TcpCounter;
  /** The driver's configured max_connections. */
  max: number;
  /**
   * The hard bound of the pool the driver's sockets come from. Equal to `max` when the driver
   * owns its pool; a driver on the mount's shared dispatcher limits requests in flight to `max`,
   * and while an abandoned socket is being torn down the dispatcher may open one more, up to its
   * own limit.
   */
  hardMax: number;
  /** Closes the driver the way a mount does on unmount (driver.close, then its pool). */
  release(): Promise<void>;
  /** Stops the servers. */
  cleanup(): Promise<void>;
}

const BURST = 200;
const BIG = 4 * 1024 * 1024;

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString();
}

/** Opens a read, takes its first chunk, then gives up on it the way `how` says. */
async function abandonRead(driver: Driver, path: string, how: 'destroy' | 'signal'): Promise<void> {
  const controller = new AbortController();
  const { stream } = await driver.read(path, { signal: controller.signal });
  await new Promise<void>((resolve, reject) => {
    stream.once('data', () => resolve());
    stream.once('error', reject);
  });
  stream.on('error', () => undefined);
  if (how === 'destroy') stream.destroy();
  else controller.abort(new Error('client went away'));
}

/**
 * Connection ownership, measured at a counting TCP proxy between driver and server: a burst of
 * concurrent requests never opens more than max_connections sockets, abandoned reads free their
 * socket (closed, not left busy), and closing the driver closes every socket. Counts, not timings.
 */
export function runPoolScenarios(name: string, setup: () => Promise<PoolSetup>): void {
  describe(`connection pool: ${name}`, () => {
    let env: PoolSetup | undefined;
    const s = (): PoolSetup => {
      if (!env) throw new Error('pool setup failed');
      return env;
    };
    beforeAll(async () => {
      env = await setup();
      await env.driver.init?.(AbortSignal.timeout(30_000));
      await env.driver.mkdir?.('pool');
    });
    afterAll(async () => {
      await env?.cleanup();
    });

    it(`${BURST} concurrent writes and reads use at most max_connections connections`, async () => {
      const { driver, counter, max } = s();
      const write = driver.write?.bind(driver);
      if (!write) throw new Error('driver has no write');
      const names = Array.from({ length: BURST }, (_, i) => `pool/f${i}.txt`);
      await Promise.all(names.map((n) => write(n, Readable.from([Buffer.from(n)]), { size: Buffer.byteLength(n) })));
      const back = await Promise.all(names.map(async (n) => readAll((await driver.read(n)).stream)));
      expect(back).toEqual(names);
      const stats = counter.stats();
      expect(stats.peak, `burst: ${JSON.stringify(stats)}`).toBeLessThanOrEqual(max);
      expect(stats.total, `burst: ${JSON.stringify(stats)}`).toBeLessThanOrEqual(max);
    });

    it('abandoned reads (destroyed stream, aborted signal) free their sockets; the pool keeps working', async () => {
      const { driver, counter, max } = s();
      await driver.write?.('pool/big.bin', Readable.from([Buffer.alloc(BIG, 0x61)]), { size: BIG });
      const before = counter.stats();
      const hows = Array.from({ length: max }, (_, i): 'destroy' | 'signal' => (i % 2 === 0 ? 'destroy' : 'signal'));
      await Promise.all(hows.map((how) => abandonRead(driver, 'pool/big.bin', how)));
      // Each abandoned read's connection is closed rather than returned busy to the pool.
      await counter.waitFor((now) => now.total - now.open - (before.total - before.open) >= max, `${max} abandoned connections closing`);
      // A full pool's worth of reads after them completes: no slot was left taken.
      counter.resetPeak();
      const sizes = await Promise.all(hows.map(async () => (await readAll((await driver.read('pool/big.bin')).stream)).length));
      expect(sizes).toEqual(hows.map(() => BIG));
      expect(counter.stats().peak, `after abandoning: ${JSON.stringify(counter.stats())}`).toBeLessThanOrEqual(s().hardMax);
    });

    it('closing the driver closes every socket it opened', async () => {
      const { driver, counter, release } = s();
      await driver.stat('pool/f0.txt');
      expect(counter.stats().open).toBeGreaterThan(0);
      await release();
      await counter.waitFor((now) => now.open === 0, 'every connection closing');
      expect(counter.stats().open).toBe(0);
    });
  });
}
