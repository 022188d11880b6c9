import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/auth/secrets.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

describe('admin routes', () => {
  let server: TestServer;
  let api: ApiClient;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-admin-'));
    server = await startTestServer();
    api = ApiClient.for(server);
    await api.login();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('describes drivers from their declared options', async () => {
    const names = (await api.get('/api/admin/driver/names')).data as string[];
    expect(names).toContain('Local');
    const info = await api.get('/api/admin/driver/info?driver=Local');
    expect(info.data.additional.find((i: { name: string }) => i.name === 'root_folder_path')).toMatchObject({ type: 'string', required: true });
    expect(info.data.common.map((i: { name: string }) => i.name)).toContain('mount_path');
    expect(info.data.config).toMatchObject({ name: 'Local', only_proxy: true });
    expect(await api.get('/api/admin/driver/info?driver=Nope')).toMatchObject({ code: 404, message: 'driver [Nope] not found' });
    expect(Object.keys((await api.get('/api/admin/driver/list')).data)).toEqual(names);
  });

  it('creates a storage, lists it as work, serves it, and keeps a failing one with its error', async () => {
    writeFileSync(join(work, 'in.txt'), 'x');
    const created = await api.post('/api/admin/storage/create', { mount_path: '/mnt/ok', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) });
    expect(created.code).toBe(200);
    const id = created.data.id as number;
    const got = await api.get(`/api/admin/storage/get?id=${id}`);
    expect(got.data).toMatchObject({ id, mount_path: '/mnt/ok', driver: 'Local', status: 'work', disabled: false, cache_expiration: 30 });
    expect(typeof got.data.addition).toBe('string');
    expect((await api.post('/api/fs/list', { path: '/mnt/ok' })).data.content.map((o: { name: string }) => o.name)).toEqual(['in.txt']);
    const bad = await api.post('/api/admin/storage/create', { mount_path: '/mnt/bad', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'missing') }) });
    expect(bad.code).toBe(500);
    expect(bad.message).toMatch(/^failed init storage but storage is already created: failed init storage: /);
    expect(bad.data.id).toBeGreaterThan(id);
    const list = await api.get('/api/admin/storage/list');
    const row = list.data.content.find((s: { id: number }) => s.id === bad.data.id);
    expect(row.state).toBe('error');
    expect(row.status).toBe(row.health.error);
    expect(await api.post('/api/fs/list', { path: '/mnt/ok' })).toMatchObject({ code: 200 });
  });

  it('validates storage bodies and options with readable messages', async () => {
    expect((await api.post('/api/admin/storage/create', { mount_path: '/x', driver: 'Local', addition: '{}' })).message).toMatch(/root_folder_path/);
    expect((await api.post('/api/admin/storage/create', { mount_path: '/x', driver: 'Local', addition: 'not json' })).message).toMatch(/addition/);
    expect((await api.post('/api/admin/storage/create', { mount_path: '/x', driver: 'Nope', addition: '{}' })).message).toBe('driver [Nope] not found');
    expect((await api.post('/api/admin/storage/create', { mount_path: '/mnt/ok', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) })).message).toMatch(/already used/);
    expect((await api.post('/api/admin/storage/create', { driver: 'Local' })).message).toMatch(/mount_path/);
  });

  it('never returns secrets, and an empty secret on update keeps the stored one', async () => {
    const created = await api.post('/api/admin/storage/create', {
      mount_path: '/mnt/secret', driver: 'TestFaulty', addition: JSON.stringify({ fault_file: join(work, 'none'), api_key: 's3cr3t' }),
    });
    const id = created.data.id as number;
    const got = await api.get(`/api/admin/storage/get?id=${id}`);
    expect(JSON.parse(got.data.addition)).toMatchObject({ api_key: '' });
    expect(JSON.stringify(await api.get('/api/admin/storage/list'))).not.toContain('s3cr3t');
    expect((await api.post('/api/admin/storage/update', { ...got.data, remark: 'edited' })).code).toBe(200);
    const stored = await server.repos.storages.get(id);
    expect(stored?.addition).not.toContain('s3cr3t');
    expect(SecretBox.forDataDir(server.dataDir).openOptions(JSON.parse(stored?.addition ?? '{}'))).toMatchObject({ api_key: 's3cr3t' });
    expect(stored?.remark).toBe('edited');
    expect((await api.post('/api/admin/storage/update', { ...got.data, driver: 'Local' })).message).toBe('driver cannot be changed');
  });

  it('disables, enables and deletes storages, refusing repeats', async () => {
    const id = (await api.get('/api/admin/storage/list')).data.content.find((s: { mount_path: string }) => s.mount_path === '/mnt/ok').id;
    expect((await api.post(`/api/admin/storage/disable?id=${id}`)).code).toBe(200);
    expect((await api.get(`/api/admin/storage/get?id=${id}`)).data).toMatchObject({ status: 'disabled', disabled: true });
    expect((await api.post(`/api/admin/storage/disable?id=${id}`)).message).toBe('this storage have disabled');
    expect((await api.post('/api/fs/list', { path: '/mnt' })).data.content.map((o: { name: string }) => o.name)).not.toContain('ok');
    expect((await api.post(`/api/admin/storage/enable?id=${id}`)).code).toBe(200);
    await waitFor(() => server.mounts.get(id)?.status().state === 'ready');
    expect((await api.post(`/api/admin/storage/delete?id=${id}`)).code).toBe(200);
    expect((await api.get(`/api/admin/storage/get?id=${id}`)).code).toBe(400);
    expect((await api.post('/api/admin/storage/load_all')).code).toBe(200);
  });

  it('manages users and refuses what AList refuses', async () => {
    expect((await api.post('/api/admin/user/create', { username: 'root2', password: 'x', role: 2 })).message).toBe('admin or guest user can not be created');
    const id = (await api.post('/api/admin/user/create', { username: 'erin', password: 'pw', permission: 256, base_path: '/home/erin' })).data.id as number;
    expect((await api.get(`/api/admin/user/get?id=${id}`)).data).toEqual({ id, username: 'erin', password: '', base_path: '/home/erin', role: 0, disabled: false, permission: 256, sso_id: '' });
    expect((await api.post('/api/admin/user/create', { username: 'erin', password: 'pw' })).message).toBe('user erin already exists');
    expect((await api.post('/api/admin/user/update', { id, username: 'erin', role: 2 })).message).toBe('role can not be changed');
    const adminId = (await api.get('/api/me')).data.id;
    expect((await api.post(`/api/admin/user/delete?id=${adminId}`)).message).toBe('cannot delete admin or guest');
    expect((await api.post(`/api/admin/user/delete?id=${id}`)).code).toBe(200);
  });

  it('manages metas, refusing bad hide regexes', async () => {
    expect((await api.post('/api/admin/meta/create', { path: '/m', hide: '([' })).code).toBe(400);
    const id = (await api.post('/api/admin/meta/create', { path: '/m', readme: 'hi' })).data.id as number;
    expect((await api.get(`/api/admin/meta/get?id=${id}`)).data).toMatchObject({ path: '/m', readme: 'hi', p_sub: false });
    expect((await api.get('/api/admin/meta/list')).data.total).toBe(1);
    expect((await api.post(`/api/admin/meta/delete?id=${id}`)).code).toBe(200);
  });

  it('reads and saves settings; public settings hide private ones', async () => {
    expect((await api.get('/api/admin/setting/get?key=site_title')).data.value).toBe('Filebridge');
    await api.post('/api/admin/setting/save', [{ key: 'site_title', value: 'My Files' }]);
    const pub = await ApiClient.for(server).get('/api/public/settings');
    expect(pub.data.site_title).toBe('My Files');
    expect(pub.data.version).toBeDefined();
    expect(pub.data.token).toBeUndefined();
    expect((await api.post('/api/admin/setting/save', [{ key: 'version', value: '9' }])).code).toBe(403);
    expect((await api.post('/api/admin/setting/save', { key: 'x' })).code).toBe(400);
    const token = (await api.get('/api/admin/setting/get?key=token')).data.value as string;
    const viaToken = await new ApiClient(server.url, token).get('/api/me');
    expect(viaToken.data.username).toBe('admin');
  });
});
