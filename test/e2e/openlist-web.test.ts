import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

/** The parts of OpenList's frontend index.html that its server fills in. */
const OPENLIST_INDEX = `<!doctype html><html><head>
<link href="/manifest.json" rel="manifest" >
<link rel="apple-touch-icon" href="https://res.oplist.org/logo/logo.png" >
<link rel="shortcut icon" type="image/ico" href="https://res.oplist.org/logo/logo.svg">
<title>Loading...</title>
<script>
  window.OPENLIST_CONFIG = {
    cdn: undefined,
    base_path: undefined,
    api: undefined,
    main_color: undefined,
  }
</script><script src="/assets/index-abc.js"></script></head><body><div id="root"></div></body></html>`;

function distFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'filebridge-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), OPENLIST_INDEX);
  writeFileSync(join(dir, 'assets/index-abc.js'), 'console.log("ui")');
  return dir;
}

describe('dist_dir: another frontend build served as OpenList serves it', () => {
  let server: TestServer;
  let dist: string;

  beforeAll(async () => {
    dist = distFolder();
    server = await startTestServer({ config: { dist_dir: dist } });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('fills window.OPENLIST_CONFIG, the title and the logos from the settings, for every client route', async () => {
    for (const path of ['/', '/local/docs', '/@manage/settings/site', '/index.html']) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toContain("cdn: \"\"");
      expect(html).toContain('base_path: "/"');
      expect(html).toContain('main_color: "#1890ff"');
      expect(html).toContain('api: undefined');
      expect(html).toContain('<title>Filebridge</title>');
      // No CSP of the built-in UI: OpenList's frontend runs inline scripts.
      expect(res.headers.get('content-security-policy')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const api = ApiClient.for(server);
    await api.login();
    await api.post('/api/admin/setting/save', [{ key: 'site_title', value: 'My <Files>' }, { key: 'favicon', value: 'https://icons.example/f.ico' }, { key: 'main_color', value: '#00aa00' }]);
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toContain('<title>My &#60;Files&#62;</title>');
    expect(html).toContain('href="https://icons.example/f.ico"');
    expect(html).toContain('main_color: "#00aa00"');
    expect(html).toContain('type="image/ico" href="https://icons.example/f.ico"');
    // The touch icon is the first line of `logo` (OpenList's logo by default).
    expect(html).toContain('rel="apple-touch-icon" href="https://res.oplist.org/logo/logo.svg"');
  });

  it('serves the build’s assets and a manifest; the API and WebDAV stay theirs', async () => {
    const js = await fetch(`${server.url}/assets/index-abc.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toBe('console.log("ui")');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const mf = await fetch(`${server.url}/manifest.json`);
    expect((await mf.json()) as object).toMatchObject({ display: 'standalone', scope: '/', start_url: '/', name: expect.any(String) });
    expect(((await (await fetch(`${server.url}/api/public/settings`)).json()) as { code: number }).code).toBe(200);
  });

  it('a dist_dir without index.html stops the start with a clear message', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'filebridge-dist-empty-'));
    try {
      await expect(startTestServer({ config: { dist_dir: empty } })).rejects.toThrow(/dist_dir: .* has no index\.html/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

const preflight = (url: string, origin: string, method = 'POST', headers = 'authorization,content-type') =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

describe('CORS as OpenList’s cors config', () => {
  let open: TestServer;
  let listed: TestServer;
  let off: TestServer;

  beforeAll(async () => {
    open = await startTestServer();
    listed = await startTestServer({ config: { cors: { allow_origins: ['https://app.example'], allow_methods: ['GET', 'POST'], allow_headers: ['Authorization', 'Content-Type'] } } });
    off = await startTestServer({ config: { cors: { allow_origins: [] } } });
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), listed?.stop(), off?.stop()]);
  });

  it('by default any origin may call the API: a preflight is 204 before authentication, with what it asked for', async () => {
    const res = await preflight(`${open.url}/api/fs/list`, 'https://other.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const token = await ApiClient.for(open).login();
    const real = await fetch(`${open.url}/api/me`, { headers: { origin: 'https://other.example', authorization: token } });
    expect(real.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await real.json()) as { data: { username: string } }).data.username).toBe('admin');
  });

  it('listed origins, methods and headers only', async () => {
    const ok = await preflight(`${listed.url}/api/fs/list`, 'https://app.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('vary')).toContain('Origin');
    expect(ok.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type');
    expect((await preflight(`${listed.url}/api/fs/list`, 'https://evil.example')).status).toBe(403);
    expect((await preflight(`${listed.url}/api/fs/remove`, 'https://app.example', 'DELETE')).status).toBe(403);
    const plain = await fetch(`${listed.url}/api/public/settings`, { headers: { origin: 'https://evil.example' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an empty allow_origins turns CORS off; WebDAV OPTIONS without Origin is never taken for a preflight', async () => {
    const res = await preflight(`${off.url}/api/fs/list`, 'https://other.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await res.json()) as { code: number }).code).toBe(401);
    const dav = await fetch(`${open.url}/dav/`, { method: 'OPTIONS' });
    expect(dav.headers.get('dav')).toBeTruthy();
  });

  it('config: cors from config.json objects, or JSON and comma lists from the environment', () => {
    const data = mkdtempSync(join(tmpdir(), 'filebridge-cors-config-'));
    try {
      expect(loadConfig({ env: {}, flags: { data } }).cors).toEqual({ allow_origins: ['*'], allow_methods: ['*'], allow_headers: ['*'] });
      const fromEnv = loadConfig({ env: { FILEBRIDGE_CORS: '{"allow_origins":"https://a.example, https://b.example"}' }, flags: { data } });
      expect(fromEnv.cors.allow_origins).toEqual(['https://a.example', 'https://b.example']);
      expect(fromEnv.cors.allow_methods).toEqual(['*']);
      expect(() => loadConfig({ env: { FILEBRIDGE_CORS: '{"allow_originz":[]}' }, flags: { data } })).toThrow(/cors/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
