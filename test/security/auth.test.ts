import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox, isSealed } from '../../src/auth/secrets.js';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, runCli, startFilebridge } from '../../src/main.js';
import { type TestServer, startTestServer, testConfig, testDrivers, waitFor } from '../helpers/server.js';
import { basicAuth } from './http.js';

/** Every byte of the database files (main file and WAL) as latin1 text. */
function databaseText(dataDir: string): string {
  return readdirSync(dataDir).filter((f) => f.startsWith('data.db')).map((f) => readFileSync(join(dataDir, f)).toString('latin1')).join('');
}

describe('auth hardening', () => {
  let server: TestServer;
  let work: string;

  async function inject(method: string, url: string, opts: { ip?: string; auth?: string; body?: unknown } = {}) {
    const res = await server.app.inject({
      method: method as 'POST',
      url,
      remoteAddress: opts.ip ?? '127.0.0.1',
      headers: opts.auth ? { authorization: opts.auth } : {},
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    return res;
  }
  const login = async (username: string, password: string, ip: string) => (await inject('POST', '/api/auth/login', { ip, body: { username, password } })).json();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-auth-'));
    mkdirSync(join(work, 'root'));
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'root') }) }] });
    const admin = server.settings.get('token');
    for (const u of ['carol', 'dave', 'erin', 'frank']) {
      const r = await inject('POST', '/api/admin/user/create', { auth: admin, body: { username: u, password: `${u}-pass`, permission: 0x3ff } });
      expect(r.json().code).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('stores every password as argon2id', async () => {
    await inject('POST', '/api/me/update', { auth: (await login('frank', 'frank-pass', '10.9.0.1')).data.token, body: { username: 'frank', password: 'frank-new-pass' } });
    const { items } = await server.repos.users.list();
    const withPassword = items.filter((u) => u.username !== 'guest');
    expect(withPassword.length).toBeGreaterThanOrEqual(5);
    for (const u of withPassword) expect(u.passwordHash, u.username).toMatch(/^\$argon2id\$v=19\$/);
  });

  it('locks an address after 5 failures (API login), other addresses unaffected', async () => {
    for (let i = 0; i < 5; i++) expect((await login('dave', 'wrong', '10.1.0.1')).code).toBe(400);
    expect((await login('dave', 'dave-pass', '10.1.0.1')).code).toBe(429);
    expect((await login('dave', 'dave-pass', '10.1.0.2')).code).toBe(200);
  });

  it('locks a user name after 10 failures from any addresses, for API login and WebDAV, with a clear message', async () => {
    for (let i = 0; i < 10; i++) expect((await login('carol', 'wrong', `10.2.0.${i}`)).code).toBe(400);
    const locked = await login('carol', 'carol-pass', '10.2.1.1');
    expect(locked.code).toBe(429);
    expect(locked.message).toMatch(/user "carol"/);
    const dav = await inject('PROPFIND', '/dav/', { ip: '10.2.1.2', auth: basicAuth('carol', 'carol-pass') });
    expect(dav.statusCode).toBe(429);
    expect(dav.headers['retry-after']).toBeDefined();
    // Another user from the same address is not locked.
    expect((await login('erin', 'erin-pass', '10.2.1.1')).code).toBe(200);
  });

  it('locks per address and per user on WebDAV Basic too', async () => {
    for (let i = 0; i < 5; i++) expect((await inject('PROPFIND', '/dav/', { ip: '10.3.0.1', auth: basicAuth('erin', 'nope') })).statusCode).toBe(401);
    expect((await inject('PROPFIND', '/dav/', { ip: '10.3.0.1', auth: basicAuth('erin', 'erin-pass') })).statusCode).toBe(429);
    for (let i = 0; i < 10; i++) await inject('PROPFIND', '/dav/', { ip: `10.4.0.${i}`, auth: basicAuth('dave', 'nope') });
    expect((await login('dave', 'dave-pass', '10.4.1.1')).code).toBe(429);
  });

  it('sets no cookies (tokens live in localStorage), and the UI sends its security headers', async () => {
    const res = await inject('POST', '/api/auth/login', { ip: '10.5.0.1', body: { username: 'erin', password: 'erin-pass' } });
    expect(res.headers['set-cookie']).toBeUndefined();
    const ui = await inject('GET', '/');
    expect(ui.headers['set-cookie']).toBeUndefined();
    expect(String(ui.headers['content-security-policy'])).toMatch(/frame-ancestors 'none'/);
    expect(String(ui.headers['content-security-policy'])).toMatch(/default-src 'self'/);
    expect(ui.headers['x-content-type-options']).toBe('nosniff');
    expect(ui.headers['referrer-policy']).toBe('same-origin');
  });

  it('keeps an audit log of logins and admin actions, newest first, secrets hidden, admins only', async () => {
    const admin = server.settings.get('token');
    await login('erin', 'bad-pass', '10.6.0.1');
    const tok = (await login('erin', 'erin-pass', '10.6.0.2')).data.token as string;
    const created = (await inject('POST', '/api/me/tokens/create', { auth: tok, ip: '10.6.0.2', body: { name: 'ci' } })).json();
    await inject('POST', '/api/me/tokens/revoke', { auth: tok, ip: '10.6.0.2', body: { id: created.data.id } });
    await inject('POST', '/api/admin/user/update', { auth: admin, body: { id: (await server.repos.users.getByUsername('erin'))?.id, username: 'erin', password: 'erin-pass-2', permission: 1 } });
    await inject('POST', '/api/admin/setting/save', { auth: admin, body: [{ key: 'site_title', value: 'Audited' }] });
    await inject('POST', '/api/admin/meta/create', { auth: admin, body: { path: '/audited', password: 'meta-secret' } });
    await inject('POST', '/api/admin/storage/create', { auth: admin, body: { mount_path: '/audit-m', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'root') }) } });
    const page = (await inject('GET', '/api/admin/audit?page=1&per_page=100', { auth: admin })).json();
    expect(page.code).toBe(200);
    const entries = page.data.content as { id: number; action: string; username: string; ip: string; target: string; detail: Record<string, unknown> }[];
    expect(page.data.total).toBeGreaterThanOrEqual(entries.length);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => b - a));
    const actions = entries.map((e) => e.action);
    for (const a of ['login.failed', 'login', 'token.create', 'token.revoke', 'user.update', 'setting.save', 'meta.create', 'storage.create', 'user.create']) expect(actions, a).toContain(a);
    expect(entries.find((e) => e.action === 'login.failed' && e.ip === '10.6.0.1')?.username).toBe('erin');
    expect(entries.find((e) => e.action === 'storage.create')?.target).toBe('/audit-m');
    const text = JSON.stringify(entries);
    for (const secret of ['erin-pass-2', 'meta-secret', 'bad-pass', created.data.token]) expect(text).not.toContain(secret);
    expect((await inject('GET', '/api/admin/audit', { auth: tok })).json().code).not.toBe(200);
    expect((await inject('GET', '/api/admin/audit?page=2&per_page=1', { auth: admin })).json().data.content[0].id).toBe(entries[1]?.id);
  });
});

describe('audit log retention', () => {
  it('a starting server prunes entries older than audit_retention_days', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'filebridge-audit-'));
    try {
      const { database, repos } = await openDatabase(testConfig(dataDir));
      await repos.audit.record({ at: new Date(Date.now() - 40 * 86_400_000), action: 'login', username: 'long-ago' });
      await repos.audit.record({ at: new Date(Date.now() - 5 * 86_400_000), action: 'login', username: 'last-week' });
      await database.close();
      const server = await startTestServer({ dataDir, config: { audit_retention_days: 30 } });
      try {
        const names = (await server.repos.audit.list({ page: 1, perPage: 50 })).items.map((e) => e.username);
        expect(names).toContain('last-week');
        expect(names).not.toContain('long-ago');
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('storage secrets at rest', () => {
  it('takes the sealing key from secret_key when set (no key file), and refuses one that is not 32 bytes of base64', () => {
    const dir = mkdtempSync(join(tmpdir(), 'filebridge-key-'));
    try {
      const key = randomBytes(32).toString('base64');
      const config = loadConfig({ env: { FILEBRIDGE_SECRET_KEY: key }, flags: { data: dir } });
      const sealed = SecretBox.forConfig(config).seal('token');
      expect(existsSync(join(dir, 'secret.key'))).toBe(false);
      expect(SecretBox.fromKey(Buffer.from(key, 'base64')).open(sealed)).toBe('token');
      expect(() => loadConfig({ env: {}, flags: { data: dir, secret_key: 'c2hvcnQ=' } })).toThrow(/secret_key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('seals secret options with <data>/secret.key, still opens the driver, never returns or logs them', async () => {
    const backing = await startTestServer();
    const dataDir = mkdtempSync(join(tmpdir(), 'filebridge-secrets-'));
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
    const running = await startFilebridge({ config: testConfig(dataDir), logger, drivers: testDrivers(), env: { FILEBRIDGE_ADMIN_PASSWORD: 'other-admin-pass' } });
    try {
      const keyFile = join(dataDir, 'secret.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const admin = running.settings.get('token');
      // A WebDav storage pointing at another Filebridge: it opens only if the password decrypts.
      const body = { mount_path: '/loop', driver: 'WebDav', addition: JSON.stringify({ address: `${backing.url}/dav`, username: 'admin', password: 'admin-test-pass' }) };
      const created = (await running.app.inject({ method: 'POST', url: '/api/admin/storage/create', headers: { authorization: admin }, payload: body })).json();
      expect(created.code, created.message).toBe(200);
      await waitFor(() => running.mounts.list().some((m) => m.spec.mountPath === '/loop' && m.status.state === 'ready'), 10_000, 'the WebDav mount');
      const list = (await running.app.inject({ method: 'POST', url: '/api/fs/list', headers: { authorization: admin }, payload: { path: '/loop' } })).json();
      expect(list.code, list.message).toBe(200);
      const stored = await running.repos.storages.getByMountPath('/loop');
      const addition = JSON.parse(stored?.addition ?? '{}') as Record<string, string>;
      expect(isSealed(addition.password)).toBe(true);
      expect(SecretBox.forDataDir(dataDir).open(addition.password as string)).toBe('admin-test-pass');
      expect(databaseText(dataDir)).not.toContain('admin-test-pass');
      const got = (await running.app.inject({ method: 'GET', url: `/api/admin/storage/get?id=${stored?.id}`, headers: { authorization: admin } })).json();
      expect(got.data.addition).not.toContain('admin-test-pass');
      expect(got.data.addition).not.toContain('enc:v1:');
      // An update that leaves the secret empty keeps it (sealed once, not twice).
      const upd = (await running.app.inject({ method: 'POST', url: '/api/admin/storage/update', headers: { authorization: admin }, payload: { ...got.data, remark: 'edited' } })).json();
      expect(upd.code, upd.message).toBe(200);
      const after = JSON.parse((await running.repos.storages.getByMountPath('/loop'))?.addition ?? '{}') as Record<string, string>;
      expect(SecretBox.forDataDir(dataDir).open(after.password as string)).toBe('admin-test-pass');
      expect(lines.join('\n')).not.toContain('admin-test-pass');
    } finally {
      await running.close();
      await backing.stop();
    }
    // The CLI seals a refresh token it is given, and plain values written before sealing existed still read.
    const { database, repos } = await openDatabase(testConfig(dataDir));
    await repos.storages.create({ mountPath: '/ali', driver: 'AliyundriveOpen', addition: JSON.stringify({ refresh_token: 'OLD-PLAIN-TOKEN' }), disabled: true });
    await database.close();
    const out = console.log;
    console.log = () => undefined;
    try {
      await runCli(['node', 'filebridge', 'storage', 'set-token', '/ali', 'NEW-REFRESH-TOKEN-123', '--data', dataDir]);
    } finally {
      console.log = out;
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(databaseText(dataDir)).not.toContain('NEW-REFRESH-TOKEN-123');
    const reopened = await openDatabase(testConfig(dataDir));
    const ali = JSON.parse((await reopened.repos.storages.getByMountPath('/ali'))?.addition ?? '{}') as Record<string, string>;
    await reopened.database.close();
    expect(SecretBox.forDataDir(dataDir).open(ali.refresh_token as string)).toBe('NEW-REFRESH-TOKEN-123');
    expect(SecretBox.forDataDir(dataDir).open('OLD-PLAIN-TOKEN')).toBe('OLD-PLAIN-TOKEN');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
