import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { discard, HttpClient, splitUrl } from './http.js';

describe('splitUrl', () => {
  it('gives the origin and the path with its query, the path as a full URL parse reads it', () => {
    const cases: [string, string][] = [
      ['http://127.0.0.1:8080/dav/a%20b/c.bin', 'http://127.0.0.1:8080'],
      ['https://graph.microsoft.com/v1.0/me/drive/root:/x:/children?$top=200&x=1', 'https://graph.microsoft.com'],
      ['http://host:1/', 'http://host:1'],
      ['http://host:1', 'http://host:1'],
      ['http://host?x=1', 'http://host'],
      ['https://host.example/p?q=/slash', 'https://host.example'],
      ['http://[::1]:9000/bucket/key', 'http://[::1]:9000'],
    ];
    for (const [url, origin] of cases) {
      const u = new URL(url);
      expect(splitUrl(url), url).toEqual({ origin, path: `${u.pathname}${u.search}` });
    }
  });

  it('refuses a URL that is not absolute', () => {
    expect(() => splitUrl('/dav/x')).toThrow(/not an absolute URL/);
  });
});

describe('HttpClient', () => {
  it("sends the client's headers with each request's, the request's winning on a shared name", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const dispatcher = new Agent({ connections: 1 });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x?y=1`;
      const http = new HttpClient({ dispatcher, maxInFlight: 1, headers: { authorization: 'Basic base', 'x-both': 'client' } });
      await discard(await http.send({ method: 'GET', url, headers: { 'x-both': 'request', 'x-only': 'r' } }));
      await discard(await http.send({ method: 'GET', url }));
      expect(seen[0]).toMatchObject({ authorization: 'Basic base', 'x-both': 'request', 'x-only': 'r' });
      expect(seen[1]).toMatchObject({ authorization: 'Basic base', 'x-both': 'client' });
      expect(seen[1]?.['x-only']).toBeUndefined();
    } finally {
      await dispatcher.close();
      server.close();
    }
  });
});
