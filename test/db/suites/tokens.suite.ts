import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidReferenceError } from '../../../src/db/errors.js';
import type { ApiTokenInput } from '../../../src/db/repositories/index.js';
import { useMigratedDatabase, type DatabaseFactory } from './context.js';

export function tokenTests(factory: DatabaseFactory): void {
  describe('tokens repository', () => {
    const ctx = useMigratedDatabase(factory);

    async function user(name: string): Promise<number> {
      return ctx.repos.users.create({ username: name, passwordHash: 'h' });
    }

    function token(userId: number, hash: string, extra: Partial<ApiTokenInput> = {}): ApiTokenInput {
      return { userId, name: `token ${hash}`, tokenHash: hash, prefix: hash.slice(0, 4), scope: 'read', ...extra };
    }

    it('creates a token and finds it by hash', async () => {
      const alice = await user('alice');
      const expiresAt = new Date('2030-01-02T03:04:05.678Z');
      const createdAt = new Date('2026-01-01T00:00:00.000Z');
      const id = await ctx.repos.tokens.create(token(alice, 'hash-1', { scope: 'write', pathPrefix: '/pub', expiresAt, createdAt }));
      expect(await ctx.repos.tokens.findByHash('hash-1')).toEqual({
        id, userId: alice, name: 'token hash-1', tokenHash: 'hash-1', prefix: 'hash', scope: 'write',
        pathPrefix: '/pub', expiresAt, createdAt, lastUsedAt: null, lastUsedIp: null, revokedAt: null,
      });
      expect(await ctx.repos.tokens.findByHash('nope')).toBeUndefined();
      const plain = await ctx.repos.tokens.create(token(alice, 'hash-2'));
      expect(await ctx.repos.tokens.get(plain)).toMatchObject({ pathPrefix: '/', expiresAt: null, scope: 'read' });
    });

    it('refuses a duplicate hash and a missing user', async () => {
      const alice = await user('alice');
      await ctx.repos.tokens.create(token(alice, 'dup'));
      await expect(ctx.repos.tokens.create(token(alice, 'dup'))).rejects.toBeInstanceOf(ConflictError);
      await expect(ctx.repos.tokens.create(token(alice + 1000, 'other'))).rejects.toBeInstanceOf(InvalidReferenceError);
    });

    it('lists per user and all with user names', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      await ctx.repos.tokens.create(token(alice, 'a1'));
      await ctx.repos.tokens.create(token(bob, 'b1'));
      await ctx.repos.tokens.create(token(alice, 'a2'));
      expect((await ctx.repos.tokens.listByUser(alice)).map((t) => t.tokenHash)).toEqual(['a1', 'a2']);
      const all = await ctx.repos.tokens.listAll();
      expect(all.map((t) => [t.tokenHash, t.username])).toEqual([['a1', 'alice'], ['b1', 'bob'], ['a2', 'alice']]);
    });

    it('revokes once, and only for the owner when a user is given', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const id = await ctx.repos.tokens.create(token(alice, 'r1'));
      expect(await ctx.repos.tokens.revoke(id, bob)).toBe(false);
      expect((await ctx.repos.tokens.get(id))?.revokedAt).toBeNull();
      const at = new Date('2026-05-05T05:05:05.000Z');
      expect(await ctx.repos.tokens.revoke(id, alice, at)).toBe(true);
      expect((await ctx.repos.tokens.get(id))?.revokedAt).toEqual(at);
      expect(await ctx.repos.tokens.revoke(id)).toBe(false);
      expect(await ctx.repos.tokens.revoke(id + 1000)).toBe(false);
    });

    it('records the last use', async () => {
      const alice = await user('alice');
      const id = await ctx.repos.tokens.create(token(alice, 't1'));
      const at = new Date('2026-02-03T04:05:06.007Z');
      await ctx.repos.tokens.touch(id, at, '203.0.113.9');
      expect(await ctx.repos.tokens.get(id)).toMatchObject({ lastUsedAt: at, lastUsedIp: '203.0.113.9' });
    });

    it('deletes tokens and revoked sessions with their user', async () => {
      const alice = await user('alice');
      const id = await ctx.repos.tokens.create(token(alice, 'c1'));
      await ctx.repos.revokedSessions.add('jti-c', alice, new Date(Date.now() + 60_000));
      await ctx.repos.users.remove(alice);
      expect(await ctx.repos.tokens.get(id)).toBeUndefined();
      expect(await ctx.repos.revokedSessions.isRevoked('jti-c')).toBe(false);
    });
  });

  describe('revoked sessions repository', () => {
    const ctx = useMigratedDatabase(factory);

    it('remembers revoked JWT ids until they expire', async () => {
      const alice = await ctx.repos.users.create({ username: 'alice', passwordHash: 'h' });
      const now = new Date('2026-06-01T12:00:00.000Z');
      await ctx.repos.revokedSessions.add('old', alice, new Date('2026-06-01T11:59:59.999Z'));
      await ctx.repos.revokedSessions.add('live', alice, new Date('2026-06-02T00:00:00.000Z'));
      await ctx.repos.revokedSessions.add('live', alice, new Date('2026-06-02T00:00:00.000Z'));
      expect(await ctx.repos.revokedSessions.isRevoked('old')).toBe(true);
      expect(await ctx.repos.revokedSessions.isRevoked('live')).toBe(true);
      expect(await ctx.repos.revokedSessions.isRevoked('never')).toBe(false);
      expect(await ctx.repos.revokedSessions.pruneExpired(now)).toBe(1);
      expect(await ctx.repos.revokedSessions.isRevoked('old')).toBe(false);
      expect(await ctx.repos.revokedSessions.isRevoked('live')).toBe(true);
    });

    it('refuses a session of a missing user', async () => {
      await expect(ctx.repos.revokedSessions.add('x', 4242, new Date())).rejects.toBeInstanceOf(InvalidReferenceError);
    });
  });
}
