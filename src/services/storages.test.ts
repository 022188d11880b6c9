import { describe, expect, it } from 'vitest';
import { ConflictError } from '../db/errors.js';
import type { StorageInput, StorageRecord } from '../db/repositories/storages.js';
import { driverCatalog } from '../drivers/define-driver.js';
import { localDriver } from '../drivers/local/local.js';
import { s3Driver } from '../drivers/s3/s3.js';
import type { AnyDriverDefinition } from '../drivers/define-driver.js';
import { StorageRefusal, StorageService, type StorageStore } from './storages.js';

/** An in-memory storage table with the repository's unique mount path. */
function memoryStore(): StorageStore & { rows: Map<number, StorageRecord>; states: Map<number, string> } {
  const rows = new Map<number, StorageRecord>();
  const states = new Map<number, string>();
  let next = 1;
  const taken = (path: string, except?: number) => [...rows.values()].some((r) => r.mountPath === path && r.id !== except);
  const record = (id: number, i: StorageInput): StorageRecord =>
    ({ id, order: 0, cacheExpiration: 30, remark: '', disabled: false, enableSign: false, orderBy: '', orderDirection: '', extractFolder: '', webProxy: false, webdavPolicy: '302_redirect', downProxyUrl: '', addition: '{}', modified: new Date(), ...i }) as StorageRecord;
  return {
    rows,
    states,
    get: async (id) => rows.get(id),
    getByMountPath: async (p) => [...rows.values()].find((r) => r.mountPath === p),
    list: async () => [...rows.values()],
    create: async (i) => {
      if (taken(i.mountPath)) throw new ConflictError('unique');
      const id = next++;
      rows.set(id, record(id, i));
      return id;
    },
    update: async (id, patch) => {
      const r = rows.get(id);
      if (!r) return false;
      if (patch.mountPath && taken(patch.mountPath, id)) throw new ConflictError('unique');
      rows.set(id, { ...r, ...patch } as StorageRecord);
      return true;
    },
    setDisabled: async (id, disabled) => {
      const r = rows.get(id);
      if (r) rows.set(id, { ...r, disabled });
      return r !== undefined;
    },
    remove: async (id) => rows.delete(id),
    saveState: async (id, state) => {
      states.set(id, state);
      return true;
    },
  } as StorageStore & { rows: Map<number, StorageRecord>; states: Map<number, string> };
}

const catalog = driverCatalog([localDriver, s3Driver] as unknown as AnyDriverDefinition[]);
const s3 = { bucket: 'b', endpoint: 'http://127.0.0.1:9', access_key_id: 'AK', secret_access_key: 'SECRET' };

/** The storage-admin use cases the API and the CLI share, over an in-memory repository. */
describe('StorageService', () => {
  it('checks options against the driver, normalises the mount path and refuses a taken one', async () => {
    const svc = new StorageService(memoryStore(), catalog);
    await expect(svc.create({ mountPath: '/x', driver: 'Nope' }, {})).rejects.toThrow(new StorageRefusal('driver [Nope] not found'));
    await expect(svc.create({ mountPath: '/x', driver: 'S3' }, {})).rejects.toThrow(/invalid S3 options: bucket/);
    const id = await svc.create({ mountPath: 'pub//files/', driver: 'S3' }, s3);
    expect((await svc.get(id)).mountPath).toBe('/pub/files');
    await expect(svc.create({ mountPath: '/pub/files', driver: 'S3' }, s3)).rejects.toThrow(new StorageRefusal('mount path /pub/files is already used'));
  });

  it('keeps a secret a form sends blank, and refuses a driver change', async () => {
    const store = memoryStore();
    const svc = new StorageService(store, catalog);
    const id = await svc.create({ mountPath: '/s3', driver: 'S3' }, s3);
    await svc.update(id, { mountPath: '/s3', driver: 'S3', remark: 'edited' }, { ...s3, secret_access_key: '' });
    expect(JSON.parse(store.rows.get(id)?.addition ?? '{}')).toMatchObject({ secret_access_key: 'SECRET' });
    expect(store.rows.get(id)?.remark).toBe('edited');
    await expect(svc.update(id, { mountPath: '/s3', driver: 'Local' }, {})).rejects.toThrow(new StorageRefusal('driver cannot be changed'));
  });

  it('enables and disables idempotently, finds by id or mount path, and saves a new refresh token after clearing the old chain', async () => {
    const store = memoryStore();
    const svc = new StorageService(store);
    const id = await store.create({ mountPath: '/od', driver: 'Onedrive', addition: JSON.stringify({ refresh_token: 'old', client_id: 'c' }) });
    expect(await svc.setEnabled(id, false)).toBe(true);
    expect(await svc.setEnabled(id, false)).toBe(false);
    expect((await svc.find('od')).id).toBe(id);
    expect((await svc.find(String(id))).mountPath).toBe('/od');
    await expect(svc.find('/nope')).rejects.toThrow(StorageRefusal);
    store.states.set(id, '{"refresh_token":"rotated"}');
    await svc.setRefreshToken(id, '  fresh \n');
    expect(store.states.get(id)).toBe('{}');
    expect(JSON.parse(store.rows.get(id)?.addition ?? '{}')).toEqual({ refresh_token: 'fresh', client_id: 'c' });
  });
});
