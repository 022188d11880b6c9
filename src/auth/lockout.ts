import { LRUCache } from 'lru-cache';

export interface LockoutOptions {
  maxFailures: number;
  windowMs: number;
}

/** Counts failures per key (client address, user name); locked once the count reaches the limit. */
export class Lockout {
  private readonly failures: LRUCache<string, number>;

  constructor(private readonly options: LockoutOptions = { maxFailures: 5, windowMs: 5 * 60_000 }) {
    this.failures = new LRUCache<string, number>({ max: 10_000, ttl: options.windowMs });
  }

  locked(key: string): boolean {
    return (this.failures.get(key) ?? 0) >= this.options.maxFailures;
  }

  fail(key: string): void {
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1, { noUpdateTTL: this.failures.has(key) });
  }

  reset(key: string): void {
    this.failures.delete(key);
  }
}
