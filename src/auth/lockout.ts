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

export interface LoginLockoutOptions {
  /** Failures of one user name from one address: the pair is locked (a success there clears it). */
  pair: LockoutOptions;
  /** Failures of one user name from any address: the name is locked, whoever signs in. */
  user: LockoutOptions;
  /** Failures from one address over every name (password spraying); never cleared by a success. */
  address: LockoutOptions;
}

export const LOGIN_LOCKOUT: LoginLockoutOptions = {
  pair: { maxFailures: 5, windowMs: 5 * 60_000 },
  user: { maxFailures: 10, windowMs: 15 * 60_000 },
  address: { maxFailures: 30, windowMs: 15 * 60_000 },
};

/** Which limit a sign-in ran into. */
export type LoginLock = 'pair' | 'user' | 'address';

/**
 * Sign-in lockout, counted per (address, user name), per user name and per address. A success
 * clears only its own (address, user) pair: signing in to one's own account from an address does
 * not wipe the failures counted there against other accounts, nor a name's failures elsewhere.
 */
export class LoginLockout {
  private readonly pair: Lockout;
  private readonly user: Lockout;
  private readonly address: Lockout;

  constructor(options: LoginLockoutOptions = LOGIN_LOCKOUT) {
    this.pair = new Lockout(options.pair);
    this.user = new Lockout(options.user);
    this.address = new Lockout(options.address);
  }

  /** The limit this sign-in is over, if any (the user's own lock first: its message names them). */
  locked(ip: string, username: string): LoginLock | undefined {
    const name = username.toLowerCase();
    if (this.user.locked(name)) return 'user';
    if (this.pair.locked(pairKey(ip, name))) return 'pair';
    if (this.address.locked(ip)) return 'address';
    return undefined;
  }

  fail(ip: string, username: string): void {
    const name = username.toLowerCase();
    this.pair.fail(pairKey(ip, name));
    this.user.fail(name);
    this.address.fail(ip);
  }

  succeeded(ip: string, username: string): void {
    this.pair.reset(pairKey(ip, username.toLowerCase()));
  }
}

function pairKey(ip: string, name: string): string {
  return `${ip}\u0000${name}`;
}
