import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const DAY = 86_400_000;

describe('personal API tokens', () => {
  let server: TestServer;
  let admin: ApiClient;
  let offset = 0;
  const now = () => Date.now() + offset;
  const tokens: Record<string, { id: number; token: string; expires_at: string | null }> = {};

  const as = (token: string) => new ApiClient(server.url, token);
  const restart = async () => {
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({ dataDir, now });
    admin = new ApiClient(server.url, admin.token);
  };

  beforeAll(async () => {
    server = await startTestServer({ now });
    admin = ApiClient.for(server);
    await admin.login();
    await admin.post('/api/admin/user/create', { username: 'frank', password: 'pw', permission: 0xffff & ~0 });
    const frank = ApiClient.for(server);
    await frank.login('frank', 'pw');
    for (const [key, body] of Object.entries({
      forever: { name: 'backup job', scope: 'write' },
      week: { name: 'weekly', scope: 'write', expires_in_days: 7 },
      reader: { name: 'poller', scope: 'read' },
      scoped: { name: 'photos only', scope: 'write', path_prefix: '/photos' },
    })) {
      const r = await frank.post('/api/me/tokens/create', body);
      expect(r.code, r.message).toBe(200);
      tokens[key] = r.data;
    }
    await admin.post('/api/fs/mkdir', { path: '/photos' });
  });
  afterAll(async () => server?.stop());

  it('shows the secret once with a recognisable prefix, and lists tokens without it', async () => {
    expect(tokens.forever?.token).toMatch(/^fbt_[A-Za-z0-9_-]{43}$/);
    expect(tokens.week?.expires_at).not.toBeNull();
    const frank = as(tokens.forever?.token ?? '');
    const list = await frank.get('/api/me/tokens');
    expect(list.data.total).toBe(4);
    expect(JSON.stringify(list)).not.toContain(tokens.forever?.token);
    expect(list.data.content[0]).toMatchObject({ name: 'backup job', scope: 'write', path_prefix: '/', expires_at: null, revoked_at: null });
    expect(Object.keys(list.data.content[0]).sort()).toEqual(
      ['created_at', 'expires_at', 'id', 'last_used_at', 'last_used_ip', 'name', 'path_prefix', 'prefix', 'revoked_at', 'scope', 'user_id'].sort(),
    );
  });

  it('is accepted raw, as Bearer, and as the WebDAV Basic password', async () => {
    const t = tokens.forever?.token ?? '';
    expect((await as(t).get('/api/me')).data.username).toBe('frank');
    expect((await as(`Bearer ${t}`).get('/api/me')).data.username).toBe('frank');
    const basic = Buffer.from(`anyone:${t}`).toString('base64');
    const dav = await fetch(`${server.url}/dav/`, { method: 'PROPFIND', headers: { authorization: `Basic ${basic}`, depth: '0' } });
    expect(dav.status).toBe(207);
    const bearer = await fetch(`${server.url}/dav/`, { method: 'PROPFIND', headers: { authorization: `Bearer ${t}`, depth: '0' } });
    expect(bearer.status).toBe(207);
  });

  it('keeps a read token from writing, over the API and over WebDAV', async () => {
    const r = as(tokens.reader?.token ?? '');
    expect((await r.post('/api/fs/list', { path: '/' })).code).toBe(200);
    expect(await r.put('/x.txt', 'x')).toMatchObject({ code: 403, message: 'API token scope does not allow this' });
    expect(await r.post('/api/fs/mkdir', { path: '/d' })).toMatchObject({ code: 403, message: 'API token scope does not allow this' });
    const basic = Buffer.from(`frank:${tokens.reader?.token}`).toString('base64');
    const put = await fetch(`${server.url}/dav/x.txt`, { method: 'PUT', headers: { authorization: `Basic ${basic}` }, body: 'x' });
    expect(put.status).toBe(403);
  });

  it('keeps a prefixed token inside its prefix', async () => {
    const s = as(tokens.scoped?.token ?? '');
    expect((await s.post('/api/fs/list', { path: '/photos' })).code).toBe(200);
    expect(await s.post('/api/fs/list', { path: '/' })).toMatchObject({ code: 403, message: "path is outside the API token's path prefix" });
  });

  it('works at 6 days 23 hours, and fails after 7 days with the expiry in the message', async () => {
    offset = 6 * DAY + 23 * 3_600_000;
    expect((await as(tokens.week?.token ?? '').get('/api/me')).code).toBe(200);
    offset = 7 * DAY + 1000;
    const r = await as(tokens.week?.token ?? '').get('/api/me');
    expect(r.code).toBe(401);
    expect(r.message).toBe(`API token has expired (at ${tokens.week?.expires_at})`);
  });

  it('never expires without an expiry, even after 400 days and a restart', async () => {
    offset = 400 * DAY;
    expect((await as(tokens.forever?.token ?? '').get('/api/me')).code).toBe(200);
    await restart();
    expect((await as(tokens.forever?.token ?? '').get('/api/me')).code).toBe(200);
    offset = 0;
  });

  it('is refused on the very next request once revoked, or once its owner is disabled', async () => {
    const frank = as(tokens.forever?.token ?? '');
    expect((await frank.post('/api/me/tokens/revoke', { id: tokens.scoped?.id })).code).toBe(200);
    const revoked = await as(tokens.scoped?.token ?? '').get('/api/me');
    expect(revoked.code).toBe(401);
    expect(revoked.message).toMatch(/^API token has been revoked \(at /);
    expect((await as('fbt_' + 'A'.repeat(43)).get('/api/me'))).toMatchObject({ code: 401, message: 'unknown API token' });
    const user = (await admin.get('/api/admin/user/list')).data.content.find((u: { username: string }) => u.username === 'frank');
    await admin.post('/api/admin/user/update', { ...user, disabled: true });
    expect(await frank.get('/api/me')).toMatchObject({ code: 401, message: 'Current user is disabled, replace please' });
    await admin.post('/api/admin/user/update', { ...user, disabled: false });
    expect((await frank.get('/api/me')).code).toBe(200);
  });

  it('never grants more than the owner has, and admins see and revoke everyone’s tokens', async () => {
    const frank = as(tokens.forever?.token ?? '');
    expect(await frank.post('/api/me/tokens/create', { name: 'x', scope: 'admin' })).toMatchObject({ code: 403 });
    const all = await admin.get('/api/admin/token/list');
    expect(all.data.content.every((t: { username: string }) => t.username === 'frank')).toBe(true);
    expect((await admin.post('/api/admin/token/revoke', { id: tokens.reader?.id })).code).toBe(200);
    expect((await as(tokens.reader?.token ?? '').get('/api/me')).code).toBe(401);
    const adminToken = await admin.post('/api/me/tokens/create', { name: 'ops', scope: 'write' });
    expect(await as(adminToken.data.token).get('/api/admin/user/list')).toMatchObject({ code: 403, message: 'API token scope does not allow this' });
  });

  it('is managed from the CLI, with the server running', async () => {
    const created = await runCli(['token', 'create', '--user', 'frank', '--name', 'cli', '--scope', 'read', '--expires', '30d', '--data', server.dataDir]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.split('\n')[0] ?? '';
    expect(token).toMatch(/^fbt_/);
    expect((await as(token).get('/api/me')).data.username).toBe('frank');
    const id = /id (\d+)/.exec(created.stdout)?.[1];
    const list = await runCli(['token', 'list', '--user', 'frank', '--data', server.dataDir]);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\tfrank\\tcli\\t.*\\tread\\t/\\texpires 20\\d\\d-.*\\tactive$`, 'm'));
    expect((await runCli(['token', 'revoke', String(id), '--data', server.dataDir])).code).toBe(0);
    expect((await as(token).get('/api/me')).code).toBe(401);
  });
});
