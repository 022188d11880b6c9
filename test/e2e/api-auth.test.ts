import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '../../src/auth/totp.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const staticHash = (pw: string) => createHash('sha256').update(`${pw}-https://github.com/alist-org/alist`).digest('hex');

describe('API authentication', () => {
  let server: TestServer;
  let admin: ApiClient;
  let loggedOut = '';

  beforeAll(async () => {
    server = await startTestServer();
    admin = ApiClient.for(server);
    await admin.login();
  });
  afterAll(async () => server?.stop());

  it('refuses anonymous calls with the exact AList message while guest is disabled', async () => {
    const r = await ApiClient.for(server).post('/api/fs/list', { path: '/' });
    expect(r).toEqual({ code: 401, message: 'Guest user is disabled, login please', data: null });
  });

  it('logs in with the plain and the hashed password form, and reports the expiry', async () => {
    const plain = await ApiClient.for(server).post('/api/auth/login', { username: 'admin', password: 'admin-test-pass' });
    expect(plain.code).toBe(200);
    expect(plain.data.token).toMatch(/^eyJ/);
    const hoursLeft = (Date.parse(plain.data.expires_at) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(47);
    expect(hoursLeft).toBeLessThanOrEqual(48);
    const hashed = await ApiClient.for(server).post('/api/auth/login/hash', { username: 'admin', password: staticHash('admin-test-pass') });
    expect(hashed.code).toBe(200);
  });

  it('rejects wrong credentials and bad bodies with code 400', async () => {
    const c = ApiClient.for(server);
    expect(await c.post('/api/auth/login', { username: 'admin', password: 'nope' })).toMatchObject({ code: 400, message: 'username or password is incorrect' });
    expect(await c.post('/api/auth/login', { username: 'nobody', password: 'x' })).toMatchObject({ code: 400, message: 'username or password is incorrect' });
    const badType = await c.post('/api/auth/login', { username: 5, password: 'x' });
    expect(badType.code).toBe(400);
    expect(badType.message).toMatch(/username/);
    expect((await c.call('POST', '/api/auth/login', '{"username":')).code).toBe(400);
    await admin.login();
  });

  it('accepts the raw token and the Bearer form; tells malformed tokens apart', async () => {
    const me = await admin.get('/api/me');
    expect(me.data).toMatchObject({ username: 'admin', password: '', role: 2, base_path: '/', otp: false });
    const bearer = await new ApiClient(server.url, `Bearer ${admin.token}`).get('/api/me');
    expect(bearer.data.username).toBe('admin');
    expect(await new ApiClient(server.url, 'garbage').get('/api/me')).toMatchObject({ code: 401, message: "that's not even a token" });
    const forged = admin.token.slice(0, -4) + (admin.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await new ApiClient(server.url, forged).get('/api/me')).code).toBe(401);
  });

  it('invalidates a token at logout, and the revocation is persisted', async () => {
    const c = ApiClient.for(server);
    await c.login();
    expect((await c.get('/api/auth/logout')).code).toBe(200);
    expect(await c.get('/api/me')).toMatchObject({ code: 401, message: 'token is invalidated' });
    loggedOut = c.token;
  });

  it('invalidates older tokens when the password changes', async () => {
    const id = (await admin.post('/api/admin/user/create', { username: 'carol', password: 'pw-1', permission: 0 })).data.id as number;
    const carol = ApiClient.for(server);
    await carol.login('carol', 'pw-1');
    expect((await carol.post('/api/me/update', { username: 'carol', password: 'pw-2', current_password: 'pw-1' })).code).toBe(200);
    expect(await carol.get('/api/me')).toMatchObject({ code: 401, message: 'Password has been changed, login please' });
    await carol.login('carol', 'pw-2');
    expect((await carol.get('/api/me')).data.id).toBe(id);
    expect(await carol.get('/api/admin/user/list')).toMatchObject({ code: 403, message: 'You are not an admin' });
    await admin.post('/api/admin/user/update', { id, username: 'carol', disabled: true, role: 0 });
    expect((await carol.get('/api/me')).code).toBe(401);
  });

  it('runs the TOTP flow: generate, verify, then login needs the code (402 without it)', async () => {
    await admin.post('/api/admin/user/create', { username: 'dave', password: 'pw', permission: 0 });
    const dave = ApiClient.for(server);
    await dave.login('dave', 'pw');
    const gen = await dave.post('/api/auth/2fa/generate', { current_password: 'pw' });
    expect(gen.data.qr).toMatch(/^data:image\/png;base64,/);
    expect((await dave.post('/api/auth/2fa/verify', { code: '000000', secret: gen.data.secret, current_password: 'pw' })).code).toBe(402);
    expect((await dave.post('/api/auth/2fa/verify', { code: currentTotp(gen.data.secret), secret: gen.data.secret, current_password: 'pw' })).code).toBe(200);
    expect((await dave.get('/api/me')).data.otp).toBe(true);
    const noCode = await ApiClient.for(server).post('/api/auth/login', { username: 'dave', password: 'pw' });
    expect(noCode).toMatchObject({ code: 402, message: 'Invalid 2FA code' });
    // The code that enabled 2FA is used up; the next one (accepted early, for clock drift) signs in.
    const withCode = await ApiClient.for(server).post('/api/auth/login', { username: 'dave', password: 'pw', otp_code: currentTotp(gen.data.secret, Date.now() + 30_000) });
    expect(withCode.code).toBe(200);
  });

  it('lets the guest in once enabled, limited by its permissions and base path', async () => {
    const guest = (await admin.get('/api/admin/user/list')).data.content.find((u: { username: string }) => u.username === 'guest');
    await server.fs.mkdir('/public');
    await admin.put('/public/readme.txt', 'hello guest');
    await admin.put('/private.txt', 'secret');
    await admin.post('/api/admin/user/update', { ...guest, disabled: false, base_path: '/public' });
    const anon = ApiClient.for(server);
    const list = await anon.post('/api/fs/list', { path: '/' });
    expect(list.code).toBe(200);
    expect(list.data.content.map((e: { name: string }) => e.name)).toEqual(['readme.txt']);
    expect(list.data.write).toBe(false);
    expect((await anon.post('/api/fs/get', { path: '/../private.txt' })).code).toBe(403);
    expect(await anon.post('/api/fs/mkdir', { path: '/new' })).toMatchObject({ code: 403, message: 'permission denied' });
    expect(await anon.post('/api/me/update', { username: 'guest' })).toMatchObject({ code: 403, message: 'Guest user can not update profile' });
    expect((await anon.post('/api/auth/login', { username: 'guest', password: '' })).code).toBe(400);
  });

  it('keeps login tokens valid across a restart', async () => {
    const token = admin.token;
    const dataDir = server.dataDir;
    await server.close();
    const again = await startTestServer({ dataDir });
    try {
      const me = await new ApiClient(again.url, token).get('/api/me');
      expect(me).toMatchObject({ code: 200, data: { username: 'admin' } });
      expect(await new ApiClient(again.url, loggedOut).get('/api/me')).toMatchObject({ code: 401, message: 'token is invalidated' });
    } finally {
      await again.close();
    }
    server = await startTestServer({ dataDir });
  });
});

describe('login lockout', () => {
  it('locks an address out after 5 failures with AList’s 429 message', async () => {
    const server = await startTestServer();
    try {
      const c = ApiClient.for(server);
      for (let i = 0; i < 5; i++) expect((await c.post('/api/auth/login', { username: 'admin', password: 'bad' })).code).toBe(400);
      const locked = await c.post('/api/auth/login', { username: 'admin', password: 'admin-test-pass' });
      expect(locked).toEqual({
        code: 429,
        message: 'Too many unsuccessful sign-in attempts have been made using an incorrect username or password, Try again later.',
        data: null,
      });
    } finally {
      await server.stop();
    }
  });
});
