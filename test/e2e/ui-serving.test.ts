import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../src/server/app.js';
import { spaFallback, webRoutes } from '../../src/server/web/index.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { requirePrerequisites } from './ui-helpers.js';

describe('serving the web UI', () => {
  let server: TestServer;
  beforeAll(async () => {
    requirePrerequisites();
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('serves index.html at / and for client-side routes, with security headers', async () => {
    for (const url of ['/', '/some/folder/file.txt', '/@manage/storages', '/%E4%B8%AD%E6%96%87']) {
      const r = await server.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).toContain('<div id="root">');
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('same-origin');
    }
  });

  it('serves the built assets with long caching and the same headers', async () => {
    const html = (await server.app.inject({ method: 'GET', url: '/' })).body;
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(js).toBeTruthy();
    const r = await server.app.inject({ method: 'GET', url: js as string });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toContain('immutable');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('never answers other front doors with the UI', async () => {
    const api = await server.app.inject({ method: 'GET', url: '/api/no/such/route' });
    expect(api.json()).toMatchObject({ code: 404 });
    for (const url of ['/d/nothing/here.txt', '/p/nothing', '/metrics-nope/../metrics']) {
      const r = await server.app.inject({ method: 'GET', url });
      expect(r.body, url).not.toContain('<div id="root">');
    }
    const post = await server.app.inject({ method: 'POST', url: '/some/page' });
    expect(post.statusCode).toBe(404);
  });

  it('shows a notice instead of crashing when the UI is not built', async () => {
    const deps = { config: { webdav_prefix: '/dav' } } as unknown as AppDeps;
    const app = Fastify();
    const fallback = spaFallback(deps, { root: '/nonexistent/web/dist' });
    app.setNotFoundHandler((req, reply) => (fallback.accepts(req.method, req.url) ? fallback.send(reply) : reply.code(404).send('not found')));
    await app.register(webRoutes(deps, { root: '/nonexistent/web/dist' }));
    for (const url of ['/', '/a/b']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('has not been built');
    }
    expect((await app.inject({ method: 'GET', url: '/dav/x' })).statusCode).toBe(404);
    await app.close();
  });
});
