import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPath } from '../../src/auth/sign.js';
import { buildCli } from '../../src/cli/index.js';
import { builtinDrivers } from '../../src/drivers/all.js';
import { openDatabase, startFilebridge } from '../../src/main.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { raw } from './http.js';

const FILE = '/s/file.txt';
const VAULT_FILE = '/vault/secret.txt';

/** The `filebridge` command line, run in this process over `dataDir`; resolves with what it printed. */
async function cli(dataDir: string, ...args: string[]): Promise<string[]> {
  const printed: string[] = [];
  const deps = { start: startFilebridge, openDatabase: (config: Parameters<typeof openDatabase>[0]) => openDatabase(config, { sealSecrets: builtinDrivers() }) };
  await buildCli(deps, (line) => printed.push(line)).parseAsync(['node', 'filebridge', ...args, '--data', dataDir]);
  return printed;
}

/** `work`, or a failure naming the step when it takes longer than `ms` (so a stuck step says which it is). */
async function step<T>(name: string, work: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${name} took longer than ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Signed links: hostile sign values are a plain 401, links expire by default, a folder password
 * change voids the links below it, the admin token is not the signing key, and
 * `filebridge sign rotate` voids every link handed out before.
 */
describe('signed links', () => {
  let dataDir: string;
  let server: TestServer;
  let api: ApiClient;

  const start = async () => {
    server = await startTestServer({ dataDir });
    api = ApiClient.for(server, server.settings.get('token'));
  };
  const signOf = async (path: string, password = '') => {
    const got = await api.post('/api/fs/get', { path, password });
    expect(got.code).toBe(200);
    expect(got.data.sign).not.toBe('');
    return got.data.sign as string;
  };
  // Bodies are read at once: a response left unread keeps its connection busy and a stop waiting.
  const download = async (path: string, sign: string) => {
    const res = await fetch(`${server.url}/d${path}?sign=${encodeURIComponent(sign)}`);
    const text = await res.text();
    return { status: res.status, json: async () => JSON.parse(text) as unknown };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'filebridge-signs-'));
    await start();
    expect((await api.put(FILE, 'signed content')).code).toBe(200);
    expect((await api.put(VAULT_FILE, 'vault content')).code).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a 15 KB sign (or several) is a 401 with the envelope, never a 5xx, and the server keeps answering', async () => {
    const huge = [
      `${'A'.repeat(15_000)}:0`,
      `${'A'.repeat(44)}:${'9'.repeat(15_000)}`,
      '/'.repeat(15_000),
      `x${'/'.repeat(15_000)}x`,
      ':'.repeat(15_000),
    ];
    for (const sign of huge) {
      const res = await raw(server.url, 'GET', `/d${FILE}?sign=${sign}`);
      expect(res.status, sign.slice(0, 20)).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ code: 401, data: null });
    }
    // The sign given twice (an array once parsed), each half of 15 KB.
    const twice = await raw(server.url, 'GET', `/d${FILE}?sign=${'A'.repeat(7_500)}:0&sign=${'/'.repeat(7_500)}`);
    expect(twice.status).toBe(401);
    expect(JSON.parse(twice.body)).toMatchObject({ code: 401, data: null });
    expect((await raw(server.url, 'GET', `/d${FILE}?sign[a]=1`)).status).toBe(401);
    expect((await download(FILE, await signOf(FILE))).status).toBe(200);
  });

  it('links expire after 24 hours by default; an expired link is 401; 0 set by an admin means never', async () => {
    const stored = (await api.get('/api/admin/setting/get?key=link_expiration')).data as { value: string };
    expect(stored.value).toBe('24');
    const sign = await signOf(FILE);
    const expire = Number(sign.slice(sign.lastIndexOf(':') + 1));
    const inADay = Math.floor(Date.now() / 1000) + 24 * 3600;
    expect(Math.abs(expire - inADay)).toBeLessThan(120);
    expect((await download(FILE, sign)).status).toBe(200);

    // About one second: the link handed out now has expired two seconds later.
    await api.post('/api/admin/setting/save', [{ key: 'link_expiration', value: '0.0003' }]);
    const short = await signOf(FILE);
    expect((await download(FILE, short)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_200));
    const expired = await download(FILE, short);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ code: 401, message: 'sign expired', data: null });

    await api.post('/api/admin/setting/save', [{ key: 'link_expiration', value: '0' }]);
    const never = await signOf(FILE);
    expect(never.endsWith(':0')).toBe(true);
    expect((await download(FILE, never)).status).toBe(200);
    await api.post('/api/admin/setting/save', [{ key: 'link_expiration', value: '24' }]);
  });

  it('a link below a folder password stops working when that password changes (meta/update)', async () => {
    const created = await api.post('/api/admin/meta/create', { path: '/vault', password: 'first-pw', p_sub: true });
    expect(created.code).toBe(200);
    const meta = ((await api.get('/api/admin/meta/list')).data.content as { id: number; path: string }[]).find((m) => m.path === '/vault');
    if (!meta) throw new Error('meta not created');
    const before = await signOf(VAULT_FILE, 'first-pw');
    expect((await download(VAULT_FILE, before)).status).toBe(200);

    const updated = await api.post('/api/admin/meta/update', { id: meta.id, path: '/vault', password: 'second-pw', p_sub: true });
    expect(updated.code).toBe(200);
    const voided = await download(VAULT_FILE, before);
    expect(voided.status).toBe(401);
    expect(await voided.json()).toEqual({ code: 401, message: 'sign invalid', data: null });
    expect((await download(VAULT_FILE, await signOf(VAULT_FILE, 'second-pw'))).status).toBe(200);
    // Links outside the folder are not touched.
    expect((await download(FILE, await signOf(FILE))).status).toBe(200);
  });

  it('a sign made with the admin token is refused, and the signing key is never shown by the settings API', async () => {
    const token = server.settings.get('token');
    for (const expire of [0, 24]) {
      const forged = await download(FILE, signPath(token, FILE, expire));
      expect(forged.status).toBe(401);
      expect(await forged.json()).toEqual({ code: 401, message: 'sign invalid', data: null });
    }
    expect((await download(FILE, await signOf(FILE))).status).toBe(200);

    const listed = (await api.get('/api/admin/setting/list')).data as { key: string; value: string }[];
    expect(listed.map((s) => s.key)).not.toContain('sign_key');
    const key = server.settings.get('sign_key');
    expect(key.length).toBeGreaterThanOrEqual(40);
    expect(listed.some((s) => s.value.includes(key))).toBe(false);
    expect((await api.get('/api/admin/setting/get?key=sign_key')).code).toBe(400);
    expect(JSON.stringify((await api.get('/api/admin/setting/get?keys=sign_key,token')).data)).not.toContain(key);
    expect(JSON.stringify(await (await fetch(`${server.url}/api/public/settings`)).json())).not.toContain(key);
    // Nor can it be set or removed through that API.
    await api.post('/api/admin/setting/save', [{ key: 'sign_key', value: 'chosen-by-the-caller' }]);
    await api.post('/api/admin/setting/delete', { key: 'sign_key' });
    expect(server.settings.get('sign_key')).toBe(key);
    expect((await download(FILE, signPath('chosen-by-the-caller', FILE, 0))).status).toBe(401);
  });

  it('`filebridge sign rotate` replaces the key: links handed out before answer 401, new ones work', async () => {
    const old = await signOf(FILE);
    const oldKey = server.settings.get('sign_key');
    expect((await download(FILE, old)).status).toBe(200);
    await step('stop', server.stop());

    const printed = await step('sign rotate', cli(dataDir, 'sign', 'rotate'));
    expect(printed.join('\n')).toMatch(/signing key replaced/);

    await step('restart', start());
    expect(server.settings.get('sign_key')).not.toBe(oldKey);
    const voided = await download(FILE, old);
    expect(voided.status).toBe(401);
    expect(await voided.json()).toEqual({ code: 401, message: 'sign invalid', data: null });
    expect((await download(FILE, await signOf(FILE))).status).toBe(200);
    // The admin token did not change.
    expect((await api.get('/api/me')).code).toBe(200);
  });
});
