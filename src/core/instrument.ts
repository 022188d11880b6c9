import { type Driver, type Entry, OPTIONAL_DRIVER_METHODS, capabilities } from './storage/index.js';
import type { MountGuard } from './guard.js';

/**
 * Wraps a driver so every call goes through the mount's guard (counters, timeout, breaker).
 * Optional methods stay optional: a capability the driver lacks stays absent; each present one is
 * called as OPTIONAL_DRIVER_METHODS says (the contract's one list). Listings are read
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
  for (const name of capabilities(driver)) {
    const fn = (driver[name] as (...args: unknown[]) => unknown).bind(driver);
    const how = OPTIONAL_DRIVER_METHODS[name];
    const wrapped = how === 'direct' ? fn : how === 'timed' ? timed(fn as (...a: unknown[]) => Promise<unknown>) : untimed(fn as (...a: unknown[]) => Promise<unknown>);
    (out as unknown as Record<string, unknown>)[name] = wrapped;
  }
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
