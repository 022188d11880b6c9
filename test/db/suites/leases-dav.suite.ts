import { describe, expect, it } from 'vitest';
import type { DavLockRecord } from '../../../src/db/repositories/index.js';
import { useMigratedDatabase, type DatabaseFactory } from './context.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

export function leaseTests(factory: DatabaseFactory): void {
  describe('leases repository', () => {
    const ctx = useMigratedDatabase(factory);

    it('has one holder until it is released or runs out', async () => {
      const { leases } = ctx.repos;
      expect(await leases.acquire('refresh', 'a', 1000, T0)).toBe(true);
      expect(await leases.acquire('refresh', 'b', 1000, at(10))).toBe(false);
      expect(await leases.holder('refresh', at(10))).toBe('a');
      expect(await leases.acquire('other', 'b', 1000, at(10))).toBe(true);
      expect(await leases.acquire('refresh', 'a', 1000, at(20))).toBe(true);
      expect(await leases.acquire('refresh', 'b', 1000, at(1019))).toBe(false);
      expect(await leases.acquire('refresh', 'b', 1000, at(1020))).toBe(true);
      expect(await leases.holder('refresh', at(1030))).toBe('b');
      await leases.release('refresh', 'a');
      expect(await leases.holder('refresh', at(1030))).toBe('b');
      await leases.release('refresh', 'b');
      expect(await leases.holder('refresh', at(1030))).toBeUndefined();
      expect(await leases.acquire('refresh', 'c', 1000, at(1030))).toBe(true);
    });

    it('lets exactly one of many simultaneous acquirers on two connections win', async () => {
      const other = await ctx.open();
      const { createRepositories } = await import('../../../src/db/repositories/index.js');
      const pools = [ctx.repos.leases, createRepositories(other.db).leases];
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => pools[i % 2]?.acquire('race', `h${i}`, 60_000, T0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}

export function davTests(factory: DatabaseFactory): void {
  describe('webdav repositories', () => {
    const ctx = useMigratedDatabase(factory);

    function lock(token: string, root: string, extra: Partial<DavLockRecord> = {}): DavLockRecord {
      return { token, root, depth: 'infinity', scope: 'exclusive', owner: '', timeoutSeconds: 60, expiresAt: at(60_000), userId: 0, createdAt: T0, ...extra };
    }

    it('stores locks, lists the unexpired ones, and hides expired ones', async () => {
      const userId = await ctx.repos.users.create({ username: 'dav', passwordHash: 'h' });
      const { davLocks } = ctx.repos;
      await davLocks.create(lock('t-dir', '/a', { userId, owner: '<D:href>me</D:href>' }));
      await davLocks.create(lock('t-file', '/a/b/c.txt', { userId, depth: '0', scope: 'shared' }));
      await davLocks.create(lock('t-old', '/a/x', { userId, expiresAt: at(-1) }));
      expect(await davLocks.get('t-dir', T0)).toEqual(lock('t-dir', '/a', { userId, owner: '<D:href>me</D:href>' }));
      expect(await davLocks.get('t-old', T0)).toBeUndefined();
      expect((await davLocks.allUnexpired(T0)).map((l) => l.token).sort()).toEqual(['t-dir', 't-file']);
      await davLocks.refresh('t-dir', 600, at(1000));
      expect((await davLocks.get('t-dir', at(100_000)))?.expiresAt).toEqual(at(601_000));
      expect(await davLocks.pruneExpired(at(100_000))).toBe(2);
      await davLocks.removeTree('/a');
      expect(await davLocks.get('t-dir', T0)).toBeUndefined();
    });

    it('keeps dead properties per path and moves them with the tree', async () => {
      const { davProps } = ctx.repos;
      await davProps.apply('/d', [{ op: 'set', ns: 'urn:x', name: 'color', value: 'red' }]);
      await davProps.apply('/d/f', [
        { op: 'set', ns: 'urn:x', name: 'size', value: '1' },
        { op: 'set', ns: 'urn:x', name: 'size', value: '2' },
      ]);
      expect((await davProps.forFolder('/d')).map((p) => `${p.path}:${p.value}`).sort()).toEqual(['/d/f:2', '/d:red']);
      await davProps.moveTree('/d', '/e');
      expect(await davProps.forPath('/d')).toEqual([]);
      expect(await davProps.forPath('/e/f')).toEqual([{ path: '/e/f', ns: 'urn:x', name: 'size', value: '2' }]);
      await davProps.apply('/e/f', [{ op: 'remove', ns: 'urn:x', name: 'size' }]);
      expect(await davProps.forPath('/e/f')).toEqual([]);
    });
  });
}
