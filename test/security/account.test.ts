import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Perm } from '../../src/auth/permissions.js';
import { SecretBox, isSealed } from '../../src/auth/secrets.js';
import { currentTotp } from '../../src/auth/totp.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { type Database, createDatabase } from '../../src/db/client.js';
import { UserRepository, createRepositories } from '../../src/db/repositories/index.js';
import { runCli } from '../../src/main.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';
import { basicAuth } from './http.js';

const MEMBER = Perm.Write | Perm.Rename | Perm.Move | Perm.Copy | Perm.Remove | Perm.WebdavRead | Perm.WebdavManage;
const STEP = 30_000;

interface Envelope {
  code: number;
  message: string;
  data: any;
}

/**
 * Account security through the real server: what it takes to change an account (a login session,
 * the current password, the current 2FA code), what a password change revokes, what login tokens
 * are bound to, single-use TOTP codes, WebDAV and 2FA, the sign-in lockout, and WebDAV seeing
 * user changes at once. Every test signs in from its own address, so lockouts stay apart.
 */
describe('account security', () => {
  let server: TestServer;
  let work: string;
  let adminToken = '';
  // The server's clock: TOTP steps are moved forward by moving it.
  let offset = 0;
  const now = () => Date.now() + offset;

  async function api(method: string, url: string, opts: { auth?: string; body?: unknown; ip?: string } = {}): Promise<Envelope> {
    const res = await server.app.inject({
      method: method as 'POST',
      url,
      remoteAddress: opts.ip ?? '127.0.0.1',
      headers: opts.auth ? { authorization: opts.auth } : {},
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Envelope>();
  }
  const post = (url: string, auth: string, body: unknown, ip?: string) => api('POST', url, { auth, body, ip });
  const me = (auth: string) => api('GET', '/api/me', { auth });
  const davAs = (auth: string, ip = '127.0.0.1') =>
    server.app.inject({ method: 'PROPFIND' as 'GET', url: '/dav/', remoteAddress: ip, headers: { authorization: auth, depth: '0' } });

  async function createUser(username: string, password: string, permission = MEMBER): Promise<number> {
    const r = await post('/api/admin/user/create', adminToken, { username, password, permission });
    expect(r.code, r.message).toBe(200);
    return r.data.id as number;
  }
  async function login(username: string, password: string, ip: string, otp_code = ''): Promise<Envelope> {
    return api('POST', '/api/auth/login', { body: { username, password, otp_code }, ip });
  }
  async function session(username: string, password: string, ip: string, otp_code = ''): Promise<string> {
    const r = await login(username, password, ip, otp_code);
    expect(r.code, r.message).toBe(200);
    return r.data.token as string;
  }
  async function newToken(sessionToken: string, body: Record<string, unknown> = {}): Promise<string> {
    const r = await post('/api/me/tokens/create', sessionToken, { name: 'job', scope: 'write', ...body });
    expect(r.code, r.message).toBe(200);
    return r.data.token as string;
  }
  /** The code of the next time step (the clock moves on a step, so it was never used). */
  function nextCode(secret: string): string {
    offset += STEP;
    return currentTotp(secret, now());
  }
  /** Turns 2FA on through the API as the user does; returns the secret. */
  async function enable2fa(sessionToken: string, password: string, ip: string): Promise<string> {
    const gen = await post('/api/auth/2fa/generate', sessionToken, { current_password: password }, ip);
    expect(gen.code, gen.message).toBe(200);
    const secret = gen.data.secret as string;
    const verify = await post('/api/auth/2fa/verify', sessionToken, { secret, code: nextCode(secret), current_password: password }, ip);
    expect(verify.code, verify.message).toBe(200);
    return secret;
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-account-'));
    mkdirSync(join(work, 'root', 'pub'), { recursive: true });
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'root') }) }], now });
    adminToken = server.settings.get('token');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('an API token (even an admin’s read token) or the admin token cannot change the password, name or 2FA; a session must give the current password', async () => {
    const ip = '10.50.1.1';
    await createUser('tina', 'tina-pass');
    const tina = await session('tina', 'tina-pass', ip);
    const tinaRead = await newToken(tina, { scope: 'read', path_prefix: '/pub' });
    const admin = await session('admin', 'admin-test-pass', ip);
    const adminRead = await newToken(admin, { scope: 'read', path_prefix: '/pub' });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    for (const [who, auth, password] of [['tina', tinaRead, 'tina-pass'], ['admin', adminRead, 'admin-test-pass'], ['admin', adminToken, 'admin-test-pass']] as const) {
      const attempts: [string, Record<string, unknown>][] = [
        ['/api/me/update', { username: who, password: 'taken-over', current_password: password }],
        ['/api/me/update', { username: `${who}-renamed`, current_password: password }],
        ['/api/auth/2fa/generate', { current_password: password }],
        ['/api/auth/2fa/verify', { secret, code: currentTotp(secret, now()), current_password: password }],
      ];
      for (const [url, body] of attempts) {
        const r = await post(url, auth, body, ip);
        expect(r, `${url} with ${who}'s ${auth === adminToken ? 'admin token' : 'read token'}`).toMatchObject({ code: 403, data: null });
        expect(r.message).toMatch(/needs a login session/);
      }
    }
    // Nothing changed: both still sign in with their passwords, under their names, without 2FA.
    expect((await me(await session('tina', 'tina-pass', ip))).data).toMatchObject({ username: 'tina', otp: false });
    expect((await me(await session('admin', 'admin-test-pass', ip))).data).toMatchObject({ username: 'admin', otp: false });

    // A login session without, or with a wrong, current password is refused too.
    const missing = await post('/api/me/update', tina, { username: 'tina', password: 'tina-new' }, ip);
    expect(missing).toMatchObject({ code: 400, data: null });
    expect(missing.message).toMatch(/current_password/);
    const wrong = await post('/api/me/update', tina, { username: 'tina', password: 'tina-new', current_password: 'guess' }, ip);
    expect(wrong).toMatchObject({ code: 403, message: 'current_password: the current password is incorrect' });
    expect((await post('/api/auth/2fa/generate', tina, {}, ip)).code).toBe(400);
    expect((await login('tina', 'tina-new', ip)).code).toBe(400);
    // With it, the change is made.
    const done = await post('/api/me/update', tina, { username: 'tina', password: 'tina-new', current_password: 'tina-pass' }, ip);
    expect(done).toMatchObject({ code: 200, data: { revoked_tokens: 1 } });
    expect((await login('tina', 'tina-new', ip)).code).toBe(200);
    expect((await login('tina', 'tina-pass', ip)).code).toBe(400);
  });

  it('with 2FA on, an account change needs the current code as well, and 2FA goes off only with password and code', async () => {
    const ip = '10.50.2.1';
    await createUser('uma', 'uma-pass');
    const uma = await session('uma', 'uma-pass', ip);
    const secret = await enable2fa(uma, 'uma-pass', ip);
    const noCode = await post('/api/me/update', uma, { username: 'uma', password: 'uma-2', current_password: 'uma-pass' }, ip);
    expect(noCode).toMatchObject({ code: 402, data: null });
    expect(noCode.message).toMatch(/otp_code/);
    expect(await post('/api/me/update', uma, { username: 'uma', password: 'uma-2', current_password: 'uma-pass', otp_code: '000000' }, ip)).toMatchObject({
      code: 402,
      message: 'Invalid 2FA code',
    });
    expect((await login('uma', 'uma-2', ip, nextCode(secret))).code).toBe(400);
    const changed = await post('/api/me/update', uma, { username: 'uma', password: 'uma-2', current_password: 'uma-pass', otp_code: nextCode(secret) }, ip);
    expect(changed).toMatchObject({ code: 200, data: { revoked_tokens: 0 } });

    const uma2 = await session('uma', 'uma-2', ip, nextCode(secret));
    expect((await post('/api/auth/2fa/disable', uma2, { current_password: 'uma-2' }, ip)).code).toBe(402);
    expect((await post('/api/auth/2fa/disable', uma2, { otp_code: nextCode(secret) }, ip)).code).toBe(400);
    expect((await me(uma2)).data.otp).toBe(true);
    expect((await post('/api/auth/2fa/disable', uma2, { current_password: 'uma-2', otp_code: nextCode(secret) }, ip)).code).toBe(200);
    expect((await me(uma2)).data.otp).toBe(false);
    expect((await login('uma', 'uma-2', ip)).code).toBe(200);
  });

  it('a TOTP code works once; secrets are sealed at rest, and a plain one stored before sealing still works', async () => {
    const ip = '10.50.3.1';
    await createUser('vic', 'vic-pass');
    const secret = await enable2fa(await session('vic', 'vic-pass', ip), 'vic-pass', ip);
    const code = nextCode(secret);
    expect((await login('vic', 'vic-pass', ip, code)).code).toBe(200);
    expect(await login('vic', 'vic-pass', ip, code)).toMatchObject({ code: 402, message: 'Invalid 2FA code' });
    // A code of the step before the one used (still inside the drift window) is refused too.
    expect((await login('vic', 'vic-pass', ip, currentTotp(secret, now() - STEP))).code).toBe(402);
    expect((await login('vic', 'vic-pass', ip, nextCode(secret))).code).toBe(200);

    const row = await server.database.db.selectFrom('users').select('otp_secret').where('username', '=', 'vic').executeTakeFirstOrThrow();
    expect(isSealed(row.otp_secret)).toBe(true);
    expect(row.otp_secret).not.toContain(secret);
    expect((await server.repos.users.getByUsername('vic'))?.otpSecret).toBe(secret);

    const legacy = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
    await server.database.db.updateTable('users').set({ otp_secret: legacy }).where('username', '=', 'vic').execute();
    expect((await login('vic', 'vic-pass', ip, nextCode(secret))).code).toBe(402);
    expect((await login('vic', 'vic-pass', ip, nextCode(legacy))).code).toBe(200);
  });

  it('a password change (self, admin reset, CLI) revokes all the user’s API tokens and ends all their sessions, and says how many tokens', async () => {
    const ip = '10.50.4.1';
    const id = await createUser('walt', 'walt-pass');
    const s1 = await session('walt', 'walt-pass', ip);
    const s2 = await session('walt', 'walt-pass', ip);
    const tokens = [await newToken(s1), await newToken(s1, { scope: 'read' })];
    const self = await post('/api/me/update', s1, { username: 'walt', password: 'walt-2', current_password: 'walt-pass' }, ip);
    expect(self).toMatchObject({ code: 200, data: { revoked_tokens: 2 } });
    for (const t of tokens) expect((await me(t)).message).toMatch(/API token has been revoked/);
    for (const s of [s1, s2]) expect((await me(s)).code).toBe(401);

    const s3 = await session('walt', 'walt-2', ip);
    const t3 = await newToken(s3);
    const body = { id, username: 'walt', password: 'walt-3', permission: MEMBER, role: 0, base_path: '/' };
    expect(await post('/api/admin/user/update', adminToken, body)).toMatchObject({ code: 200, data: { revoked_tokens: 1 } });
    expect((await me(t3)).code).toBe(401);
    expect((await me(s3)).code).toBe(401);
    // A second reset within the same second still ends the session opened in between.
    const s4 = await session('walt', 'walt-3', ip);
    expect((await post('/api/admin/user/update', adminToken, { ...body, password: 'walt-4' })).code).toBe(200);
    expect((await me(s4)).code).toBe(401);

    const s5 = await session('walt', 'walt-4', ip);
    const t5 = await newToken(s5);
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      await runCli(['node', 'filebridge', 'admin', 'password', '--user', 'walt', '--set', 'walt-5', '--data', server.dataDir]);
    } finally {
      process.stdout.write = write;
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(printed.join('')).toMatch(/revoked 1 API token\b/);
    expect((await me(t5)).code).toBe(401);
    expect((await me(s5)).code).toBe(401);
    expect((await login('walt', 'walt-5', ip)).code).toBe(200);
  });

  it('log out everywhere ends every login session of the user, asked by a session only; API tokens stay', async () => {
    const ip = '10.50.9.1';
    await createUser('lou', 'lou-pass');
    const s1 = await session('lou', 'lou-pass', ip);
    const s2 = await session('lou', 'lou-pass', ip);
    const t = await newToken(s1);
    expect(await post('/api/auth/logout_all', t, {})).toMatchObject({ code: 403 });
    expect((await me(s2)).code).toBe(200);
    expect((await post('/api/auth/logout_all', s1, {})).code).toBe(200);
    for (const s of [s1, s2]) expect((await me(s)).code).toBe(401);
    expect((await me(t)).code).toBe(200);
    expect((await me(await session('lou', 'lou-pass', ip))).code).toBe(200);
  });

  it('a login token is bound to the user’s id: a deleted user’s token does not let in a new user of the same name; tokens without the id are refused', async () => {
    const ip = '10.50.5.1';
    const first = await createUser('xena', 'xena-pass');
    const old = await session('xena', 'xena-pass', ip);
    expect((await me(old)).data.id).toBe(first);
    expect((await post('/api/admin/user/delete', adminToken, { id: first })).code).toBe(200);
    const second = await createUser('xena', 'xena-pass');
    expect(second).not.toBe(first);
    expect(await me(old)).toMatchObject({ code: 401, data: null });
    expect((await me(await session('xena', 'xena-pass', ip))).data.id).toBe(second);

    // The shape login tokens had before: user name and password stamp only.
    const t = Math.floor(now() / 1000);
    const legacy = await new SignJWT({ username: 'xena', pwd_ts: 0 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti('legacy-jti')
      .setIssuedAt(t)
      .setNotBefore(t - 5)
      .setExpirationTime(t + 3600)
      .sign(new TextEncoder().encode(server.config.jwt_secret));
    const refused = await me(legacy);
    expect(refused.code).toBe(401);
    expect(refused.message).toMatch(/login please/);
  });

  it('WebDAV Basic refuses the password of a user with 2FA on, saying to use an API token; tokens still work by Basic and Bearer', async () => {
    const ip = '10.50.6.1';
    await createUser('yuri', 'yuri-pass');
    expect((await davAs(basicAuth('yuri', 'yuri-pass'), ip)).statusCode).toBe(207);
    const yuri = await session('yuri', 'yuri-pass', ip);
    await enable2fa(yuri, 'yuri-pass', ip);
    const token = await newToken(yuri);
    const refused = await davAs(basicAuth('yuri', 'yuri-pass'), ip);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Basic /);
    expect(refused.body).toMatch(/two-factor authentication on.*use an API token/);
    expect((await davAs(basicAuth('yuri', token), ip)).statusCode).toBe(207);
    expect((await davAs(`Bearer ${token}`, ip)).statusCode).toBe(207);
  });

  it('signing in to one’s own account does not wipe the failures counted from that address against other accounts', async () => {
    await createUser('zack', 'zack-pass');
    await createUser('mallory', 'mallory-pass');
    const ip = '10.50.7.1';
    for (let i = 0; i < 4; i++) expect((await login('zack', `guess-${i}`, ip)).code).toBe(400);
    expect((await login('mallory', 'mallory-pass', ip)).code).toBe(200);
    expect((await login('zack', 'guess-4', ip)).code).toBe(400);
    expect(await login('zack', 'zack-pass', ip)).toMatchObject({ code: 429, data: null });
    // Only that (address, user) pair is locked: zack from elsewhere, mallory from here are not.
    expect((await login('zack', 'zack-pass', '10.50.7.9')).code).toBe(200);
    expect((await login('mallory', 'mallory-pass', ip)).code).toBe(200);

    // Spraying one guess at many names from one address ends there too, successes between or not.
    const spray = '10.50.7.2';
    for (let i = 0; i < 29; i++) expect((await login(`spray-${i}`, 'Summer2026!', spray)).code).toBe(400);
    expect((await login('mallory', 'mallory-pass', spray)).code).toBe(200);
    expect((await login('spray-29', 'Summer2026!', spray)).code).toBe(400);
    expect((await login('zack', 'zack-pass', spray)).code).toBe(429);
  });

  it('WebDAV sees a permission change, a disabled user and a password reset on the very next request', async () => {
    const ip = '10.50.8.1';
    const id = await createUser('quinn', 'quinn-pass');
    const body = { id, username: 'quinn', permission: MEMBER, role: 0, base_path: '/', disabled: false };
    const basic = basicAuth('quinn', 'quinn-pass');
    expect((await davAs(basic, ip)).statusCode).toBe(207);
    expect((await davAs(basic, ip)).statusCode).toBe(207);
    expect((await post('/api/admin/user/update', adminToken, { ...body, permission: MEMBER & ~(Perm.WebdavRead | Perm.WebdavManage) })).code).toBe(200);
    expect((await davAs(basic, ip)).statusCode).toBe(403);
    expect((await post('/api/admin/user/update', adminToken, body)).code).toBe(200);
    expect((await davAs(basic, ip)).statusCode).toBe(207);
    expect((await post('/api/admin/user/update', adminToken, { ...body, disabled: true })).code).toBe(200);
    expect((await davAs(basic, ip)).statusCode).not.toBe(207);
    expect((await post('/api/admin/user/update', adminToken, body)).code).toBe(200);
    expect((await davAs(basic, ip)).statusCode).toBe(207);
    expect((await post('/api/admin/user/update', adminToken, { ...body, password: 'quinn-2' })).code).toBe(200);
    expect((await davAs(basic, ip)).statusCode).toBe(401);
    expect((await davAs(basicAuth('quinn', 'quinn-2'), ip)).statusCode).toBe(207);
  });
});

/** The counters behind sessions and TOTP, as the repository keeps them, on both engines. */
describe.each(['sqlite', 'postgres'] as const)('account counters in the users repository (%s)', (engine) => {
  let database: Database;
  let pg: PostgresServer | undefined;
  let dir = '';

  beforeAll(async () => {
    if (engine === 'postgres') {
      pg = await startPostgres();
      database = await createDatabase(await pg.connectionString());
    } else {
      dir = mkdtempSync(join(tmpdir(), 'filebridge-account-db-'));
      database = await createDatabase(`sqlite:${join(dir, 'data.db')}`);
    }
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database?.close();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('bumps the session epoch and revokes every active token with a password change, in one step; uses each TOTP step once; seals the secret', async () => {
    const repos = createRepositories(database.db);
    const users = new UserRepository(database.db, SecretBox.fromKey(randomBytes(32)));
    const id = await users.create({ username: `u-${engine}`, passwordHash: 'h0' });
    const other = await users.create({ username: `o-${engine}`, passwordHash: 'h0' });
    const token = (userId: number, n: string) => repos.tokens.create({ userId, name: n, tokenHash: `${engine}-${n}`, prefix: 'fbt_x', scope: 'read' });
    const [a, b, c, theirs] = [await token(id, 'a'), await token(id, 'b'), await token(id, 'c'), await token(other, 'd')];
    await repos.tokens.revoke(c, id, new Date('2026-01-01T00:00:00Z'));
    expect(await users.getAccount(id)).toMatchObject({ sessionEpoch: 0, otpLastStep: 0 });

    const at = new Date('2026-06-01T12:00:00Z');
    expect(await users.updateRevokingAccess(id, { passwordHash: 'h1', pwdTs: 1780000000 }, at)).toEqual({ updated: true, revokedTokens: 2 });
    expect(await users.getAccount(id)).toMatchObject({ passwordHash: 'h1', pwdTs: 1780000000, sessionEpoch: 1 });
    expect((await repos.tokens.get(a))?.revokedAt).toEqual(at);
    expect((await repos.tokens.get(b))?.revokedAt).toEqual(at);
    expect((await repos.tokens.get(c))?.revokedAt).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect((await repos.tokens.get(theirs))?.revokedAt).toBeNull();
    expect(await users.updateRevokingAccess(id + 1000, { passwordHash: 'x' }, at)).toEqual({ updated: false, revokedTokens: 0 });
    expect(await users.bumpSessionEpoch(id)).toBe(true);
    expect((await users.getAccount(id))?.sessionEpoch).toBe(2);
    expect((await users.getAccount(other))?.sessionEpoch).toBe(0);

    expect(await users.setOtpSecret(id, 'JBSWY3DPEHPK3PXP', 1000)).toBe(true);
    const raw = await database.db.selectFrom('users').select('otp_secret').where('id', '=', id).executeTakeFirstOrThrow();
    expect(isSealed(raw.otp_secret)).toBe(true);
    expect((await users.getAccount(id))?.otpSecret).toBe('JBSWY3DPEHPK3PXP');
    expect(await users.consumeOtpStep(id, 1000)).toBe(false);
    expect(await users.consumeOtpStep(id, 1001)).toBe(true);
    expect(await users.consumeOtpStep(id, 1001)).toBe(false);
    const raced = await Promise.all([users.consumeOtpStep(id, 1002), users.consumeOtpStep(id, 1002)]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    // Turning 2FA off (or on again with an older step) never moves the last step back.
    expect(await users.setOtpSecret(id, '', 5)).toBe(true);
    expect(await users.getAccount(id)).toMatchObject({ otpSecret: '', otpLastStep: 1002 });
  });
});
