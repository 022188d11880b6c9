import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SealingStorageRepository, SecretBox, isSealed } from '../../../src/auth/secrets.js';
import { ConflictError } from '../../../src/db/errors.js';
import { createRepositories } from '../../../src/db/repositories/index.js';
import { useMigratedDatabase, type DatabaseFactory } from './context.js';

export function storageTests(factory: DatabaseFactory): void {
  describe('storages repository', () => {
    const ctx = useMigratedDatabase(factory);

    it('creates a storage with AList defaults and reads it back', async () => {
      const before = Date.now();
      const id = await ctx.repos.storages.create({ mountPath: '/local', driver: 'local' });
      const record = await ctx.repos.storages.get(id);
      expect(record).toMatchObject({
        id,
        mountPath: '/local',
        order: 0,
        driver: 'local',
        cacheExpiration: 30,
        addition: '{}',
        remark: '',
        disabled: false,
        enableSign: false,
        webProxy: false,
        webdavPolicy: '302_redirect',
        downProxyUrl: '',
        configVersion: 1,
      });
      expect(record?.modified).toBeInstanceOf(Date);
      expect(record?.modified.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(await ctx.repos.storages.getByMountPath('/local')).toEqual(record);
      expect(await ctx.repos.storages.get(id + 1000)).toBeUndefined();
      expect(await ctx.repos.storages.getByMountPath('/nope')).toBeUndefined();
    });

    it('stores every field given on create', async () => {
      const input = {
        mountPath: '/s3', driver: 's3', order: 5, cacheExpiration: 0, addition: '{"bucket":"b"}',
        remark: 'r', disabled: true, enableSign: true, orderBy: 'name', orderDirection: 'desc',
        extractFolder: 'front', webProxy: true, webdavPolicy: 'native_proxy', downProxyUrl: 'https://p',
      };
      const id = await ctx.repos.storages.create(input);
      expect(await ctx.repos.storages.get(id)).toMatchObject({ ...input, id, configVersion: 1 });
    });

    it('lists by order, then mount path', async () => {
      await ctx.repos.storages.create({ mountPath: '/b', driver: 'local', order: 1 });
      await ctx.repos.storages.create({ mountPath: '/c', driver: 'local', order: 0 });
      await ctx.repos.storages.create({ mountPath: '/a', driver: 'local', order: 1 });
      const list = await ctx.repos.storages.list();
      expect(list.map((s) => s.mountPath)).toEqual(['/c', '/a', '/b']);
    });

    it('refuses a taken mount path with ConflictError, on create and on update', async () => {
      await ctx.repos.storages.create({ mountPath: '/x', driver: 'local' });
      const other = await ctx.repos.storages.create({ mountPath: '/y', driver: 'local' });
      await expect(ctx.repos.storages.create({ mountPath: '/x', driver: 's3' })).rejects.toBeInstanceOf(ConflictError);
      await expect(ctx.repos.storages.update(other, { mountPath: '/x' })).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('/x'),
      });
      expect((await ctx.repos.storages.list()).length).toBe(2);
    });

    it('updates fields, bumping config_version and modified', async () => {
      const id = await ctx.repos.storages.create({ mountPath: '/u', driver: 'local' });
      const before = await ctx.repos.storages.get(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await ctx.repos.storages.update(id, { remark: 'hello', order: 3, webProxy: true })).toBe(true);
      const after = await ctx.repos.storages.get(id);
      expect(after).toMatchObject({ remark: 'hello', order: 3, webProxy: true, mountPath: '/u', configVersion: 2 });
      expect(after!.modified.getTime()).toBeGreaterThan(before!.modified.getTime());
      expect(await ctx.repos.storages.update(id + 1000, { remark: 'x' })).toBe(false);
    });

    it('disables and enables, and removes', async () => {
      const id = await ctx.repos.storages.create({ mountPath: '/d', driver: 'local' });
      expect(await ctx.repos.storages.setDisabled(id, true)).toBe(true);
      expect(await ctx.repos.storages.get(id)).toMatchObject({ disabled: true, configVersion: 2 });
      await ctx.repos.storages.setDisabled(id, false);
      expect(await ctx.repos.storages.get(id)).toMatchObject({ disabled: false, configVersion: 3 });
      expect(await ctx.repos.storages.remove(id)).toBe(true);
      expect(await ctx.repos.storages.get(id)).toBeUndefined();
      expect(await ctx.repos.storages.remove(id)).toBe(false);
      expect(await ctx.repos.storages.setDisabled(id, true)).toBe(false);
    });

    it('keeps driver state apart from the configuration', async () => {
      const id = await ctx.repos.storages.create({ mountPath: '/od', driver: 'onedrive' });
      expect(await ctx.repos.storages.loadState(id)).toBe('{}');
      const stamp = await ctx.repos.storages.changeStamp();
      expect(await ctx.repos.storages.saveState(id, '{"refresh_token":"r1"}')).toBe(true);
      expect(await ctx.repos.storages.loadState(id)).toBe('{"refresh_token":"r1"}');
      expect((await ctx.repos.storages.get(id))?.configVersion).toBe(1);
      expect(await ctx.repos.storages.changeStamp()).toBe(stamp);
      expect(await ctx.repos.storages.loadState(id + 1000)).toBeUndefined();
      expect(await ctx.repos.storages.saveState(id + 1000, '{}')).toBe(false);
    });

    it('saves state only when it is unchanged if asked to (compare-and-swap)', async () => {
      const id = await ctx.repos.storages.create({ mountPath: '/cas', driver: 'onedrive' });
      await ctx.repos.storages.saveState(id, '{"v":1}');
      expect(await ctx.repos.storages.saveState(id, '{"v":2}', { expected: '{"v":0}' })).toBe(false);
      expect(await ctx.repos.storages.loadState(id)).toBe('{"v":1}');
      expect(await ctx.repos.storages.saveState(id, '{"v":2}', { expected: '{"v":1}' })).toBe(true);
      expect(await ctx.repos.storages.loadState(id)).toBe('{"v":2}');
    });

    it('seals token state at rest when sealing, with the same reads, defaults and compare-and-swap', async () => {
      const box = SecretBox.fromKey(randomBytes(32));
      const sealing = new SealingStorageRepository(ctx.database.db, box, () => []);
      const plain = ctx.repos.storages;
      const id = await sealing.create({ mountPath: '/sealed', driver: 'onedrive' });
      expect(await sealing.loadState(id)).toBe('{}');
      const state = '{"refresh_token":"REFRESH-SECRET-1","access_token":"ACCESS-SECRET-1"}';
      expect(await sealing.saveState(id, state)).toBe(true);
      expect(await sealing.loadState(id)).toBe(state);
      const raw = (await plain.loadState(id)) ?? '';
      expect(isSealed(raw)).toBe(true);
      expect(raw).not.toContain('SECRET');
      // Compare-and-swap on the plain text, though what is stored is sealed (and differs on every save).
      expect(await sealing.saveState(id, '{"v":2}', { expected: '{"v":0}' })).toBe(false);
      expect(await sealing.loadState(id)).toBe(state);
      expect(await sealing.saveState(id, '{"v":2}', { expected: state })).toBe(true);
      expect(await sealing.loadState(id)).toBe('{"v":2}');
      expect(await sealing.saveState(id + 1000, '{"v":3}', { expected: '{"v":2}' })).toBe(false);
      // Reset to nothing stays readable as the default; a state saved before sealing reads as it is.
      expect(await sealing.saveState(id, '{}')).toBe(true);
      expect(await plain.loadState(id)).toBe('{}');
      await plain.saveState(id, '{"refresh_token":"OLD-PLAIN"}');
      expect(await sealing.loadState(id)).toBe('{"refresh_token":"OLD-PLAIN"}');
      // Another key cannot open it, and says which key is needed.
      await sealing.saveState(id, state);
      const other = new SealingStorageRepository(ctx.database.db, SecretBox.fromKey(randomBytes(32)), () => []);
      await expect(other.loadState(id)).rejects.toThrow(/secret_key/);
    });

    it('changeStamp notices edits made through a second connection', async () => {
      const server = ctx.repos.storages;
      await server.create({ mountPath: '/existing', driver: 'local' });
      const cli = createRepositories((await ctx.open()).db).storages;
      let last = await server.changeStamp();
      expect(await server.changeStamp()).toBe(last);

      async function expectNewStamp(): Promise<void> {
        const stamp = await server.changeStamp();
        expect(stamp).not.toBe(last);
        last = stamp;
      }

      const a = await cli.create({ mountPath: '/a', driver: 'local' });
      await expectNewStamp();
      const b = await cli.create({ mountPath: '/b', driver: 'local' });
      await expectNewStamp();
      await cli.update(a, { remark: 'edited' });
      await expectNewStamp();
      await cli.setDisabled(b, true);
      await expectNewStamp();
      await cli.remove(a);
      await expectNewStamp();
      await cli.remove(b);
      await expectNewStamp();
      const c = await cli.create({ mountPath: '/c', driver: 'local' });
      await expectNewStamp();
      await cli.remove(c);
      await expectNewStamp();
      expect((await server.list()).map((s) => s.mountPath)).toEqual(['/existing']);
    });
  });
}
