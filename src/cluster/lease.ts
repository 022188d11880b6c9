import { randomUUID } from 'node:crypto';
import type { LeaseRepository } from '../db/repositories/leases.js';

export interface LeaseOptions {
  /** How long the lease lasts if the holder dies without releasing it. */
  ttlMs: number;
  /** Give up waiting after this long (default ttlMs * 3). */
  waitMs?: number;
  /** Pause between attempts, plus up to as much again of jitter (default 50). */
  pollMs?: number;
}

/**
 * Runs `work` while holding the database lease `name`: one holder at a time across every
 * process on the same database (OAuth refresh, for one). Waits by polling with jitter.
 */
export async function withLease<T>(leases: LeaseRepository, name: string, options: LeaseOptions, work: () => Promise<T>): Promise<T> {
  const holder = `${process.pid}-${randomUUID()}`;
  const pollMs = options.pollMs ?? 50;
  const giveUp = Date.now() + (options.waitMs ?? options.ttlMs * 3);
  while (!(await leases.acquire(name, holder, options.ttlMs))) {
    if (Date.now() > giveUp) throw new Error(`timed out waiting for lock ${name}`);
    await new Promise((r) => setTimeout(r, pollMs + Math.random() * pollMs * 2));
  }
  try {
    return await work();
  } finally {
    await leases.release(name, holder);
  }
}
