import { describe, expect, it } from 'vitest';
import { isFsError } from '../../core/errors.js';
import { Limiter } from './http.js';

describe('Limiter', () => {
  it('never lets more than its bound run, even when a newcomer arrives as a slot frees', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let most = 0;
    const task = async (ms: number) => {
      const release = await limiter.acquire();
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      release();
      // A newcomer in the same turn as the release.
      const again = await limiter.acquire();
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      again();
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => task(i % 3)));
    expect(most).toBe(2);
    expect(running).toBe(0);
  });

  it('drops an aborted waiter without using its slot', async () => {
    const limiter = new Limiter(1);
    const first = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    expect(isFsError(await waiting.catch((e: unknown) => e), 'aborted')).toBe(true);
    first();
    const next = await limiter.acquire();
    next();
    next();
    const a = await limiter.acquire();
    let second = false;
    void limiter.acquire().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    a();
    await new Promise((r) => setTimeout(r, 0));
    expect(second).toBe(true);
  });
});
