import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Supervisor, type WorkerHandle, restartDelay, taskHolder, workerCount } from './workers.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A supervisor over fake workers: forks are recorded, kills too; the test reports listening and exits. */
function harness(count: number, options: { stableMs?: number } = {}) {
  const clock = { now: 0 };
  const forks: { slot: number; id: number }[] = [];
  const kills: { id: number; signal: string }[] = [];
  let next = 1;
  const supervisor = new Supervisor({
    count,
    logger: quiet,
    restart: { initialMs: 100, maxMs: 3200 },
    stableMs: options.stableMs ?? 10_000,
    stopTimeoutMs: 5000,
    now: () => clock.now,
    fork: (slot): WorkerHandle => {
      const id = next++;
      forks.push({ slot, id });
      return { id, pid: 1000 + id, kill: (signal) => void kills.push({ id, signal }) };
    },
  });
  return { supervisor, forks, kills, clock };
}

describe('Supervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts the first worker alone and the others once it listens', () => {
    const { supervisor, forks } = harness(3);
    supervisor.start();
    expect(forks).toEqual([{ slot: 1, id: 1 }]);
    supervisor.listening(1, '127.0.0.1:5244');
    expect(forks.map((f) => f.slot)).toEqual([1, 2, 3]);
    supervisor.listening(2, '127.0.0.1:5244');
    expect(forks).toHaveLength(3);
  });

  it('gives up with exit code 1 when the first worker exits before it listens', async () => {
    const { supervisor, forks } = harness(2);
    supervisor.start();
    supervisor.exited(1, 1, null);
    await expect(supervisor.done).resolves.toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(forks).toHaveLength(1);
  });

  it('replaces a worker that dies, in its slot, after a backoff that grows while it keeps dying young', () => {
    const { supervisor, forks, clock } = harness(2);
    supervisor.start();
    supervisor.listening(1, 'a');
    const delays: number[] = [];
    let id = 2;
    for (let i = 0; i < 8; i++) {
      supervisor.exited(id, 1, null);
      const before = forks.length;
      let waited = 0;
      while (forks.length === before) {
        vi.advanceTimersByTime(10);
        clock.now += 10;
        waited += 10;
      }
      delays.push(waited);
      const replacement = forks.at(-1);
      expect(replacement?.slot).toBe(2);
      id = replacement?.id ?? 0;
    }
    // 100, 200, 400, ... capped at 3200 (jittered down by at most a quarter): no fork bomb.
    for (let i = 1; i < 6; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1] ?? 0);
    expect(delays.at(-1)).toBeLessThanOrEqual(3200);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(2400);
  });

  it('waits the short delay again after a worker that had been healthy dies', () => {
    const { supervisor, forks, clock } = harness(1, { stableMs: 1000 });
    supervisor.start();
    supervisor.listening(1, 'a');
    clock.now += 5000;
    supervisor.exited(1, null, 'SIGKILL');
    vi.advanceTimersByTime(100);
    expect(forks).toHaveLength(2);
  });

  it('stops every worker with SIGTERM, kills them on a second stop, and is done when all are gone', async () => {
    const { supervisor, kills } = harness(2);
    supervisor.start();
    supervisor.listening(1, 'a');
    supervisor.stop();
    expect(kills).toEqual([
      { id: 1, signal: 'SIGTERM' },
      { id: 2, signal: 'SIGTERM' },
    ]);
    supervisor.stop();
    expect(kills.slice(2).map((k) => k.signal)).toEqual(['SIGKILL', 'SIGKILL']);
    supervisor.exited(1, 0, null);
    supervisor.exited(2, null, 'SIGKILL');
    await expect(supervisor.done).resolves.toBe(0);
  });

  it('forks no replacement for a worker that dies while stopping, and kills stragglers after the timeout', () => {
    const { supervisor, forks, kills } = harness(2);
    supervisor.start();
    supervisor.listening(1, 'a');
    supervisor.exited(2, 1, null);
    supervisor.stop();
    vi.advanceTimersByTime(60_000);
    expect(forks).toHaveLength(2);
    expect(kills).toEqual([
      { id: 1, signal: 'SIGTERM' },
      { id: 1, signal: 'SIGKILL' },
    ]);
  });
});

describe('worker settings', () => {
  it('reads 0 as one per core', () => {
    expect(workerCount(0, 6)).toBe(6);
    expect(workerCount(3, 6)).toBe(3);
    expect(workerCount(1, 6)).toBe(1);
  });

  it('gives each worker slot its own task holder, and a single process the plain one', () => {
    expect(taskHolder('host:/data', undefined)).toBe('host:/data');
    expect(taskHolder('host:/data', { id: 7, slot: 2 })).toBe('host:/data#2');
  });

  it('doubles the restart delay up to the cap', () => {
    const restart = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 40].map((n) => restartDelay(n, restart, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(restartDelay(1, restart, () => 0)).toBe(75);
  });
});
