import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traversalCorpus } from '../fixtures/traversal.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const MARKER = 'TOP-SECRET-MARKER-7f3a';

/** Sends a request with the path exactly as given (fetch would normalise dot segments). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function urlSafe(payload: string): string {
  // Keep %-escapes and separators as sent; escape only what HTTP cannot carry raw.
  return payload.replace(/[\u0000-\u0020\u007f-\uffff]/g, (c) => encodeURIComponent(c));
}

describe('hostile input against the API and downloads', () => {
  let server: TestServer;
  let api: ApiClient;
  const corpus = traversalCorpus('SECRET.txt');

  beforeAll(async () => {
    server = await startTestServer();
    writeFileSync(join(server.dataDir, 'SECRET.txt'), MARKER);
    api = ApiClient.for(server);
    await api.login();
    await api.post('/api/fs/mkdir', { path: '/sub' });
    await api.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'false' }]);
  });
  afterAll(async () => server?.stop());

  it('has a corpus of well over a hundred payloads', () => {
    expect(corpus.length).toBeGreaterThan(150);
  });

  it('never escapes or fails with an internal error on fs/list and fs/get', async () => {
    for (const path of corpus) {
      for (const route of ['/api/fs/list', '/api/fs/get']) {
        const r = await api.post(route, { path });
        expect(JSON.stringify(r), `${route} ${JSON.stringify(path)}`).not.toContain(MARKER);
        expect(r.message, `${route} ${JSON.stringify(path)}`).not.toBe('internal error');
        if (r.code === 200) expect(r.data.name === undefined || r.data.name !== 'SECRET.txt').toBe(true);
      }
    }
  });

  it('never writes outside the root through File-Path', async () => {
    for (const path of corpus.slice(0, 80)) {
      const r = await api.put(path.replace('SECRET.txt', 'pwned.txt'), 'x');
      expect(r.message, JSON.stringify(path)).not.toBe('internal error');
    }
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(server.dataDir, 'pwned.txt'))).toBe(false);
  });

  it('never serves the secret through /d or /p, and never answers 500', async () => {
    await api.put('/sub/ok.txt', 'control');
    const control = await rawGet(server.url, '/d/sub/ok.txt');
    expect([control.status, control.body]).toEqual([200, 'control']);
    for (const path of corpus) {
      for (const door of ['/d/', '/p/']) {
        const res = await rawGet(server.url, door + urlSafe(path.replace(/^\//, '')));
        expect(res.body, `${door}${path}`).not.toContain(MARKER);
        expect(res.status, `${door}${path}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${door}${path}`).toBeLessThan(500);
      }
    }
  });

  it('answers malformed JSON, wrong types and oversized bodies with 400/413 in the envelope', async () => {
    expect((await api.call('POST', '/api/fs/list', '{"path":')).code).toBe(400);
    expect((await api.call('POST', '/api/fs/list', '[1,2]')).code).toBe(400);
    expect((await api.post('/api/fs/list', { path: ['a'] })).message).toMatch(/^path: /);
    expect((await api.post('/api/fs/move', { src_dir: '/', dst_dir: '/', names: 'a' })).message).toMatch(/names/);
    const big = JSON.stringify({ path: 'x'.repeat(2 * 1024 * 1024) });
    expect((await api.call('POST', '/api/fs/list', big)).code).toBe(413);
  });
});
