import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/db/errors.js';
import { useMigratedDatabase, type DatabaseFactory } from './context.js';

export function settingTests(factory: DatabaseFactory): void {
  describe('settings repository', () => {
    const ctx = useMigratedDatabase(factory);

    it('upserts, gets, lists by group and removes', async () => {
      await ctx.repos.settings.upsert([
        { key: 'site_title', value: 'Filebridge', type: 'string', groupId: 1, flag: 0 },
        { key: 'token', value: 'secret', type: 'string', groupId: 2, flag: 1 },
        { key: 'announcement', value: '', type: 'text', groupId: 1 },
      ]);
      expect(await ctx.repos.settings.get('site_title')).toEqual({
        key: 'site_title', value: 'Filebridge', type: 'string', groupId: 1, flag: 0,
      });
      expect(await ctx.repos.settings.get('missing')).toBeUndefined();
      expect((await ctx.repos.settings.list(1)).map((s) => s.key)).toEqual(['announcement', 'site_title']);
      expect((await ctx.repos.settings.list()).map((s) => s.key)).toEqual(['announcement', 'site_title', 'token']);
      expect(await ctx.repos.settings.remove('token')).toBe(true);
      expect(await ctx.repos.settings.remove('token')).toBe(false);
    });

    it('upsert updates existing keys, keeping fields it was not given', async () => {
      await ctx.repos.settings.upsert([{ key: 'k', value: 'v1', type: 'bool', groupId: 3, flag: 2 }]);
      await ctx.repos.settings.upsert([{ key: 'k', value: 'v2' }, { key: 'new', value: 'n' }]);
      expect(await ctx.repos.settings.get('k')).toEqual({ key: 'k', value: 'v2', type: 'bool', groupId: 3, flag: 2 });
      expect(await ctx.repos.settings.get('new')).toEqual({ key: 'new', value: 'n', type: 'string', groupId: 0, flag: 0 });
      await ctx.repos.settings.upsert([]);
    });

    it('getMany returns the existing ones by key', async () => {
      await ctx.repos.settings.upsert([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
      const found = await ctx.repos.settings.getMany(['a', 'b', 'c']);
      expect([...found.keys()].sort()).toEqual(['a', 'b']);
      expect(found.get('b')?.value).toBe('2');
      expect((await ctx.repos.settings.getMany([])).size).toBe(0);
    });
  });
}

export function metaTests(factory: DatabaseFactory): void {
  describe('metas repository', () => {
    const ctx = useMigratedDatabase(factory);

    it('creates with defaults, reads by id and path', async () => {
      const id = await ctx.repos.metas.create({ path: '/private', password: 'pw', pSub: true, hide: 'secret.*' });
      const meta = await ctx.repos.metas.get(id);
      expect(meta).toEqual({
        id, path: '/private', password: 'pw', pSub: true, write: false, wSub: false, hide: 'secret.*',
        hSub: false, readme: '', rSub: false, header: '', headerSub: false,
      });
      expect(await ctx.repos.metas.getByPath('/private')).toEqual(meta);
      expect(await ctx.repos.metas.getByPath('/other')).toBeUndefined();
    });

    it('refuses a second meta for the same path with ConflictError', async () => {
      await ctx.repos.metas.create({ path: '/p' });
      const other = await ctx.repos.metas.create({ path: '/q' });
      await expect(ctx.repos.metas.create({ path: '/p' })).rejects.toBeInstanceOf(ConflictError);
      await expect(ctx.repos.metas.update(other, { path: '/p' })).rejects.toBeInstanceOf(ConflictError);
    });

    it('updates, lists pages with total, removes', async () => {
      const ids = [];
      for (const path of ['/c', '/a', '/b']) ids.push(await ctx.repos.metas.create({ path }));
      expect(await ctx.repos.metas.update(ids[0]!, { write: true, readme: '# hi', headerSub: true })).toBe(true);
      expect(await ctx.repos.metas.get(ids[0]!)).toMatchObject({ path: '/c', write: true, readme: '# hi', headerSub: true });
      const page = await ctx.repos.metas.list({ page: 1, perPage: 2 });
      expect(page.total).toBe(3);
      expect(page.items.map((m) => m.path)).toEqual(['/a', '/b']);
      expect(await ctx.repos.metas.remove(ids[1]!)).toBe(true);
      expect(await ctx.repos.metas.remove(ids[1]!)).toBe(false);
      expect(await ctx.repos.metas.update(ids[1]!, { write: true })).toBe(false);
      expect((await ctx.repos.metas.list()).total).toBe(2);
    });
  });
}
