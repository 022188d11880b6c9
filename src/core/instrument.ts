import type { Driver, Entry } from '../drivers/types.js';
import type { MountGuard } from './guard.js';

/**
 * Wraps a driver so every call goes through the mount's guard (counters, timeout, breaker).
 * Optional methods stay optional: a capability the driver lacks stays absent. Listings are read
 * whole under the deadline (core caches them whole anyway).
 */
export function instrumentDriver(driver: Driver, guard: MountGuard): Driver {
  const timed = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => guard.call(() => fn(...args));
  const untimed = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => guard.call(() => fn(...args), false);
  const out: Driver = {
    stat: timed(driver.stat.bind(driver)),
    // Opening a read is a metadata call; the stream itself is bounded by socket timeouts.
    read: timed(driver.read.bind(driver)),
    list: (dir, options) => replay(guard.call(() => collect(driver.list(dir, options)))),
  };
  for (const name of ['mkdir', 'remove', 'move', 'copy', 'link', 'about'] as const) {
    const fn = driver[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (fn) (out as unknown as Record<string, unknown>)[name] = timed(fn.bind(driver));
  }
  // Uploads take as long as their bodies: breaker only.
  if (driver.write) out.write = untimed(driver.write.bind(driver));
  if (driver.init) out.init = driver.init.bind(driver);
  if (driver.close) out.close = driver.close.bind(driver);
  if (driver.connectionStats) out.connectionStats = driver.connectionStats.bind(driver);
  if (driver.status) out.status = driver.status.bind(driver);
  return out;
}

async function collect(it: AsyncIterable<Entry>): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

async function* replay(entries: Promise<Entry[]>): AsyncGenerator<Entry> {
  yield* await entries;
}
