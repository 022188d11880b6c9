import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPath } from '../../src/auth/sign.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

describe('/d and /p downloads', () => {
  let server: TestServer;
  let api: ApiClient;
  let token: string;
  const body = Buffer.from('0123456789abcdefghij');

  beforeAll(async () => {
    server = await startTestServer();
    api = ApiClient.for(server);
    await api.login();
    await api.put('/dl/电影 file #1.bin', body);
    // Links are signed with the server's own signing key, not the admin token.
    token = server.settings.get('sign_key');
  });
  afterAll(async () => server?.stop());

  const url = (door: string, path: string, sign?: string) =>
    `${server.url}/${door}${path.split('/').map(encodeURIComponent).join('/')}${sign === undefined ? '' : `?sign=${encodeURIComponent(sign)}`}`;

  it('serves a signed link, ignoring unknown query parameters', async () => {
    const sign = signPath(token, '/dl/电影 file #1.bin', 0);
    const res = await fetch(url('d', '/dl/电影 file #1.bin', sign) + '&modified=2024-01-01T00:00:00Z&x=1');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(body);
    expect(res.headers.get('content-length')).toBe('20');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''%E7%94%B5%E5%BD%B1%20file%20%231.bin");
  });

  it('refuses missing, wrong and expired signs with real statuses and the envelope', async () => {
    const path = '/dl/电影 file #1.bin';
    for (const [sign, message] of [[undefined, 'expire missing'], ['abc:xyz', 'expire invalid'], ['abc:0', 'sign invalid'], [signPath(token, path, 1, Date.now() - 7200_000), 'sign expired']] as const) {
      const res = await fetch(url('d', path, sign));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: 401, message, data: null });
    }
    const otherPath = await fetch(url('d', path, signPath(token, '/dl/other.bin', 0)));
    expect(otherPath.status).toBe(401);
  });

  it('answers single ranges with 206, unsatisfiable ones with 416, and HEAD without a body', async () => {
    const sign = signPath(token, '/dl/电影 file #1.bin', 0);
    const u = url('p', '/dl/电影 file #1.bin', sign);
    const mid = await fetch(u, { headers: { range: 'bytes=2-5' } });
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe('bytes 2-5/20');
    expect(await mid.text()).toBe('2345');
    const last = await fetch(u, { headers: { range: 'bytes=-1' } });
    expect(await last.text()).toBe('j');
    const past = await fetch(u, { headers: { range: 'bytes=10-999' } });
    expect(past.headers.get('content-range')).toBe('bytes 10-19/20');
    const bad = await fetch(u, { headers: { range: 'bytes=20-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */20');
    const head = await fetch(u, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('20');
    const etag = head.headers.get('etag') ?? '';
    expect((await fetch(u, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('stops signing when sign_all is off, and reset_token invalidates old links', async () => {
    const sign = signPath(token, '/dl/电影 file #1.bin', 0);
    await api.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'false' }]);
    expect((await fetch(url('d', '/dl/电影 file #1.bin'))).status).toBe(200);
    const listed = await api.post('/api/fs/list', { path: '/dl' });
    expect(listed.data.content[0].sign).toBe('');
    await api.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'true' }]);
    await api.post('/api/admin/setting/reset_token');
    // Resetting the admin token also replaces the signing key: as in AList, it voids every link.
    const fresh = server.settings.get('sign_key');
    expect(fresh).not.toBe(token);
    expect((await fetch(url('d', '/dl/电影 file #1.bin', sign))).status).toBe(401);
    expect((await fetch(url('d', '/dl/电影 file #1.bin', signPath(fresh, '/dl/电影 file #1.bin', 0)))).status).toBe(200);
    token = fresh;
  });

  it('gives 404 for missing files and 400 for folders', async () => {
    expect((await fetch(url('d', '/dl/missing.bin', signPath(token, '/dl/missing.bin', 0)))).status).toBe(404);
    expect((await fetch(url('d', '/dl', signPath(token, '/dl', 0)))).status).toBe(400);
  });

  it('serves Kubespider’s flow: guest list without a leading slash, then /d with modified and sign', async () => {
    const guest = (await api.get('/api/admin/user/list')).data.content.find((u: { username: string }) => u.username === 'guest');
    await api.post('/api/admin/user/update', { ...guest, disabled: false });
    const res = await fetch(`${server.url}/api/fs/list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'dl', password: '', page: 1, per_page: 30, refresh: false }),
    });
    const list = (await res.json()) as { code: number; data: { content: { name: string; sign: string; modified: string; is_dir: boolean }[]; total: number; provider: string } };
    expect(list.code).toBe(200);
    expect(list.data.total).toBe(1);
    expect(list.data.provider).toBe('Local');
    const item = list.data.content[0];
    if (!item) throw new Error('no item');
    const quoted = encodeURI(`dl/${item.name}`).replace(/#/g, '%23');
    const dl = await fetch(`${server.url}/d/${quoted}?modified=${item.modified}&sign=${item.sign}`);
    expect(dl.status).toBe(200);
    expect(Buffer.from(await dl.arrayBuffer())).toEqual(body);
    await api.post('/api/admin/user/update', { ...guest, disabled: true });
  });
});
