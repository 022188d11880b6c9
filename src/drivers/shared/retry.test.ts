import { describe, expect, it } from 'vitest';
import { FsError } from '../../core/errors.js';
import { GiveUp, Retry } from './retry.js';

/** A task failing with the given errors in turn, then answering 'ok'; counts its calls. */
function flaky(...errors: unknown[]): { calls: number; fn: () => Promise<string> } {
  const t = {
    calls: 0,
    fn: async () => {
      const err = errors[t.calls++];
      if (err !== undefined) throw err;
      return 'ok';
    },
  };
  return t;
}

const transient = (): FsError => new FsError('storage_unavailable', 'connection lost', { retryable: true });

describe('Retry', () => {
  const retry = new Retry({ initialDelayMs: 5 });

  it('repeats retryable failures, at most twice', async () => {
    const twice = flaky(transient(), transient());
    await expect(retry.run(twice.fn)).resolves.toBe('ok');
    expect(twice.calls).toBe(3);
    const always = flaky(transient(), transient(), transient(), transient());
    await expect(retry.run(always.fn)).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(always.calls).toBe(3);
  });

  it('does not repeat what is not retryable, not an FsError, aborted, or refused by `when`', async () => {
    for (const err of [new FsError('not_found', 'gone'), new TypeError('bug'), new FsError('aborted', 'stop', { retryable: true })]) {
      const once = flaky(err);
      await expect(retry.run(once.fn)).rejects.toBe(err);
      expect(once.calls).toBe(1);
    }
    const refused = flaky(transient());
    await expect(retry.run(refused.fn, { when: (e) => e.code === 'rate_limited' })).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(refused.calls).toBe(1);
  });

  it('stops at once on GiveUp, throwing the error inside', async () => {
    const inner = transient();
    const t = flaky(new GiveUp(inner));
    await expect(retry.run(t.fn)).rejects.toBe(inner);
    expect(t.calls).toBe(1);
  });

  it('starts no attempt after its budget: a slow failure is not repeated', async () => {
    const slow = new Retry({ initialDelayMs: 5, budgetMs: 20 });
    let calls = 0;
    const fn = async (): Promise<string> => {
      calls++;
      await new Promise((r) => setTimeout(r, 30));
      throw transient();
    };
    await expect(slow.run(fn)).rejects.toMatchObject({ retryable: true });
    expect(calls).toBe(1);
  });

  it('does not wait for a Retry-After beyond its longest backoff', async () => {
    const t = flaky(new FsError('rate_limited', 'slow down', { retryable: true, retryAfterMs: 60_000 }));
    await expect(retry.run(t.fn)).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 60_000 });
    expect(t.calls).toBe(1);
  });
});
