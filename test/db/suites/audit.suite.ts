import { describe, expect, it } from 'vitest';
import { AuditRetention } from '../../../src/auth/audit.js';
import { type DatabaseFactory, useMigratedDatabase } from './context.js';

export function auditTests(factory: DatabaseFactory): void {
  describe('audit repository', () => {
    const ctx = useMigratedDatabase(factory);
    const DAY = 86_400_000;
    const NOW = Date.parse('2026-11-22T12:00:00Z');

    it('records entries newest first and prunes those older than a cutoff', async () => {
      const { audit } = ctx.repos;
      for (const [action, ageDays] of [['old.a', 200], ['old.b', 181], ['edge', 179], ['new', 0]] as const) {
        await audit.record({ at: new Date(NOW - ageDays * DAY), action, username: 'u', detail: { n: ageDays } });
      }
      expect((await audit.list({ page: 1, perPage: 10 })).items.map((e) => e.action)).toEqual(['new', 'edge', 'old.b', 'old.a']);
      expect(await audit.pruneBefore(new Date(NOW - 180 * DAY))).toBe(2);
      const left = await audit.list({ page: 1, perPage: 10 });
      expect(left.items.map((e) => e.action)).toEqual(['new', 'edge']);
      expect(left.total).toBe(2);
      expect(await audit.pruneBefore(new Date(NOW - 180 * DAY))).toBe(0);
    });

    it('retention prunes at start by its days, keeps everything with 0, and survives a failing database', async () => {
      const { audit } = ctx.repos;
      await audit.record({ at: new Date(NOW - 40 * DAY), action: 'older' });
      await audit.record({ at: new Date(NOW - 10 * DAY), action: 'recent' });
      const keepAll = new AuditRetention(audit, 0, undefined, () => NOW);
      await keepAll.start();
      expect((await audit.list({ page: 1, perPage: 10 })).total).toBe(2);
      const month = new AuditRetention(audit, 30, undefined, () => NOW);
      await month.start();
      month.stop();
      expect((await audit.list({ page: 1, perPage: 10 })).items.map((e) => e.action)).toEqual(['recent']);
      const warnings: unknown[] = [];
      const broken = new AuditRetention(
        { pruneBefore: () => Promise.reject(new Error('database is down')) } as unknown as typeof audit,
        30,
        { info: () => undefined, warn: (o: unknown) => void warnings.push(o) } as never,
        () => NOW,
      );
      expect(await broken.prune()).toBe(0);
      expect(warnings).toHaveLength(1);
    });
  });
}
