/**
 * UrlTree through a real server: its reads (WebDAV with native_proxy) go through the offline downloads' SSRF rule
 * (loopback refused until offline_download_allow_private is on), pass Range on, and /d
 * redirects to the file's URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../conformance/context.js';
import { expectFsError, readAll } from '../conformance/helpers.js';
import { urlTreeDriver } from '../../src/drivers/url-tree/url-tree.js';
import { ApiClient } from '../helpers/api.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';

const DATA = randomBytes(200_000);

describe('UrlTree: reads under the SSRF rule', () => {
  let root: string;
  let server: TestServer;
  let admin: ApiClient;
  let url: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-urltree-ssrf-'));
    await writeFile(path.join(root, 'data.bin'), DATA);
    server = await startTestServer({ storages: [{ mountPath: '/files', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
    admin = ApiClient.for(server);
    await admin.login();
    expect((await admin.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'false' }])).code).toBe(200);
    url = `${server.url}/d/files/data.bin`;
    await server.repos.storages.create({ mountPath: '/urls', driver: 'UrlTree', cacheExpiration: 0, webdavPolicy: 'native_proxy', addition: JSON.stringify({ url_structure: `media:\n  data.bin:${DATA.length}:${url}\n  ${server.url}/d/files/missing.bin` }) });
    await waitFor(async () => (await admin.post('/api/fs/list', { path: '/urls/media' })).code === 200, 10_000, 'the UrlTree mount');
  });

  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const dav = { authorization: `Basic ${Buffer.from('admin:admin-test-pass').toString('base64')}` };
  const setAllow = async (on: boolean) => expect((await admin.post('/api/admin/setting/save', [{ key: 'offline_download_allow_private', value: String(on) }])).code).toBe(200);

  it('lists what the text declares, named and sized by it (or by the URL)', async () => {
    const listed = await admin.post('/api/fs/list', { path: '/urls/media' });
    expect((listed.data.content as { name: string; size: number }[]).map((c) => [c.name, c.size])).toEqual([
      ['data.bin', DATA.length],
      ['missing.bin', 0],
    ]);
  });

  it('refuses to read a loopback URL while private addresses are not allowed, and says which setting allows them', async () => {
    await setAllow(false);
    const res = await fetch(`${server.url}/dav/urls/media/data.bin`, { headers: dav });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('offline_download_allow_private');
  });

  it('reads through this server once allowed, passing Range on', async () => {
    await setAllow(true);
    try {
      const whole = await fetch(`${server.url}/dav/urls/media/data.bin`, { headers: dav });
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(DATA)).toBe(true);
      const part = await fetch(`${server.url}/dav/urls/media/data.bin`, { headers: { ...dav, range: 'bytes=150000-150099' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 150000-150099/${DATA.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(DATA.subarray(150000, 150100))).toBe(true);
      expect((await fetch(`${server.url}/dav/urls/media/missing.bin`, { headers: dav })).status).toBe(404);
    } finally {
      await setAllow(false);
    }
  });

  it('/d redirects to the URL itself', async () => {
    const res = await fetch(`${server.url}/d/urls/media/data.bin`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(url);
  });

  it('refuses a host name that resolves to loopback until private addresses are allowed', async () => {
    const { ctx, cleanup } = await createTestContext();
    try {
      const text = `a.bin:10:${url.replace('127.0.0.1', 'localhost')}`;
      const d = urlTreeDriver.create(urlTreeDriver.schema.parse({ url_structure: text }), ctx);
      await d.init?.(AbortSignal.timeout(10_000));
      const err = await expectFsError(d.read('a.bin'), 'permission_denied');
      expect(err.message).toContain('loopback');
      ctx.site = { ...ctx.site, allowPrivateAddresses: () => true };
      expect((await readAll((await d.read('a.bin', { range: { start: 0, end: 9 } })).stream)).equals(DATA.subarray(0, 10))).toBe(true);
    } finally {
      await cleanup();
    }
  });
});
