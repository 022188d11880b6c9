import { describe, expect, it } from 'vitest';
import { MountGuard } from './guard.js';
import { instrumentDriver } from './instrument.js';
import { type Driver, OPTIONAL_DRIVER_METHODS, type OptionalDriverMethod, capabilities } from './storage/index.js';

const required = (): Driver => ({
  stat: async () => ({ name: 'x', isDir: false, size: 1 }),
  list: async function* () {
    yield { name: 'x', isDir: false, size: 1 };
  },
  read: async () => {
    throw new Error('unused');
  },
});

const methods = Object.keys(OPTIONAL_DRIVER_METHODS) as OptionalDriverMethod[];

/** Every optional method of the contract, answering after `ms`. */
function full(ms = 0): Driver {
  const d = required() as unknown as Record<string, unknown>;
  for (const m of methods) d[m] = (...args: unknown[]) => (OPTIONAL_DRIVER_METHODS[m] === 'direct' ? { m, args } : new Promise((r) => setTimeout(() => r({ m, args }), ms)));
  return d as unknown as Driver;
}

/** Instrumentation follows the contract's one list of optional methods. */
describe('instrumentDriver', () => {
  const guard = () => new MountGuard({ timeoutMs: 50, breakerThreshold: 100, halfOpenMs: 1000 });

  it('keeps every optional method the driver has and adds none it lacks', () => {
    expect(capabilities(instrumentDriver(full(), guard())).sort()).toEqual([...methods].sort());
    const bare = instrumentDriver(required(), guard());
    expect(capabilities(bare)).toEqual([]);
    for (const m of methods) expect(m in bare).toBe(false);
  });

  it('routes timed and untimed methods through the guard, direct ones around it', async () => {
    const g = guard();
    const d = instrumentDriver(full(), g) as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const m of methods) {
      const before = g.counters.calls;
      const out = await d[m]?.('a', 'b');
      expect(out).toEqual({ m, args: ['a', 'b'] });
      expect(g.counters.calls - before, m).toBe(OPTIONAL_DRIVER_METHODS[m] === 'direct' ? 0 : 1);
    }
  });

  it('puts the deadline on timed methods only', async () => {
    const d = instrumentDriver(full(120), guard()) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const m of methods) {
      const how = OPTIONAL_DRIVER_METHODS[m];
      if (how === 'direct') continue;
      if (how === 'timed') await expect(d[m]?.(), m).rejects.toThrow(/did not answer within 50 ms/);
      else await expect(d[m]?.(), m).resolves.toEqual({ m, args: [] });
    }
  });
});
