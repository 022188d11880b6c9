import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/db/errors.js';
import { UserRole } from '../../../src/db/repositories/index.js';
import { useMigratedDatabase, type DatabaseFactory } from './context.js';

export function userTests(factory: DatabaseFactory): void {
  describe('users repository', () => {
    const ctx = useMigratedDatabase(factory);

    it('creates a user with defaults and finds it by id and name', async () => {
      const id = await ctx.repos.users.create({ username: 'alice', passwordHash: '$argon2id$x' });
      const user = await ctx.repos.users.get(id);
      expect(user).toEqual({
        id, username: 'alice', passwordHash: '$argon2id$x', pwdTs: 0, basePath: '/', role: UserRole.General,
        disabled: false, permission: 0, otpSecret: '', ssoId: '',
      });
      expect(await ctx.repos.users.getByUsername('alice')).toEqual(user);
      expect(await ctx.repos.users.getByUsername('bob')).toBeUndefined();
      expect(await ctx.repos.users.get(id + 1000)).toBeUndefined();
    });

    it('refuses a taken username with ConflictError, on create and on rename', async () => {
      await ctx.repos.users.create({ username: 'admin', passwordHash: 'h', role: UserRole.Admin });
      const bob = await ctx.repos.users.create({ username: 'bob', passwordHash: 'h' });
      await expect(ctx.repos.users.create({ username: 'admin', passwordHash: 'x' })).rejects.toBeInstanceOf(ConflictError);
      await expect(ctx.repos.users.update(bob, { username: 'admin' })).rejects.toBeInstanceOf(ConflictError);
      expect((await ctx.repos.users.get(bob))?.username).toBe('bob');
    });

    it('updates fields and reports missing ids', async () => {
      const id = await ctx.repos.users.create({ username: 'guest', passwordHash: '', role: UserRole.Guest });
      expect(await ctx.repos.users.update(id, { disabled: true, permission: 0x1ff, basePath: '/pub', pwdTs: 1700000000 })).toBe(true);
      expect(await ctx.repos.users.get(id)).toMatchObject({
        disabled: true, permission: 0x1ff, basePath: '/pub', pwdTs: 1700000000, role: UserRole.Guest,
      });
      expect(await ctx.repos.users.update(id, {})).toBe(true);
      expect(await ctx.repos.users.update(id + 1000, { disabled: false })).toBe(false);
      expect(await ctx.repos.users.update(id + 1000, {})).toBe(false);
    });

    it('lists pages with the total, and counts', async () => {
      for (const name of ['u1', 'u2', 'u3', 'u4', 'u5']) {
        await ctx.repos.users.create({ username: name, passwordHash: 'h' });
      }
      expect(await ctx.repos.users.count()).toBe(5);
      const page2 = await ctx.repos.users.list({ page: 2, perPage: 2 });
      expect(page2.total).toBe(5);
      expect(page2.items.map((u) => u.username)).toEqual(['u3', 'u4']);
      const page3 = await ctx.repos.users.list({ page: 3, perPage: 2 });
      expect(page3.items.map((u) => u.username)).toEqual(['u5']);
      expect((await ctx.repos.users.list()).items.length).toBe(5);
    });

    it('removes a user', async () => {
      const id = await ctx.repos.users.create({ username: 'gone', passwordHash: 'h' });
      expect(await ctx.repos.users.remove(id)).toBe(true);
      expect(await ctx.repos.users.remove(id)).toBe(false);
      expect(await ctx.repos.users.count()).toBe(0);
    });
  });
}
