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

describe('HttpClient.exchange', () => {
  async function withServer(handler: Parameters<typeof createServer>[1], body: (url: string, sockets: () => number, dispatcher: Agent) => Promise<void>): Promise<void> {
    const server = createServer(handler);
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    // One connection: a second one only opens when the first was let go.
    const dispatcher = new Agent({ connections: 1 });
    try {
      await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => connections, dispatcher);
    } finally {
      await dispatcher.destroy();
      server.closeAllConnections();
      server.close();
    }
  }

  it('answers status, headers and the first bytes of the body, reusing one connection for requests in turn', async () => {
    await withServer(
      (req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(req.method === 'PUT' ? 201 : 200, { 'x-seen': req.method ?? '' }).end('0123456789'));
      },
      async (url, sockets, dispatcher) => {
        const http = new HttpClient({ dispatcher, maxInFlight: 1 });
        const put = await http.exchange({ method: 'PUT', url: `${url}/a`, body: Buffer.alloc(5000, 1) });
        expect(put.status).toBe(201);
        expect(put.headers['x-seen']).toBe('PUT');
        expect(put.body.length).toBe(0);
        const kept = await http.exchange({ method: 'GET', url: `${url}/b` }, 4);
        expect(kept.body.toString()).toBe('0123');
        const whole = await http.exchange({ method: 'GET', url: `${url}/c` }, 100);
        expect(whole.body.toString()).toBe('0123456789');
        for (let i = 0; i < 20; i++) await http.exchange({ method: 'DELETE', url: `${url}/d${i}` });
        expect(sockets()).toBe(1);
      },
    );
  });

  it('answers a status whose body is too long to read through, and lets that connection go', async () => {
    let served = 0;
    await withServer(
      (_req, res) => {
        served++;
        res.writeHead(served === 1 ? 500 : 204);
        if (served === 1) {
          // Far longer than worth reading: the client closes instead.
          const chunk = Buffer.alloc(64 * 1024, 120);
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
        } else res.end();
      },
      async (url, sockets, dispatcher) => {
        const http = new HttpClient({ dispatcher, maxInFlight: 1 });
        const big = await http.exchange({ method: 'GET', url: `${url}/big` }, 10);
        expect(big.status).toBe(500);
        expect(big.body.length).toBe(10);
        // The slot came back: the next request goes out (on a new connection).
        expect((await http.exchange({ method: 'DELETE', url: `${url}/x` })).status).toBe(204);
        expect(sockets()).toBe(2);
      },
    );
  });

  it('rejects on abort, waiting or in flight, and frees its slot', async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/slow') return; // never answers
        res.end();
      },
      async (url, _sockets, dispatcher) => {
        const http = new HttpClient({ dispatcher, maxInFlight: 1 });
        const abort = new AbortController();
        const slow = http.exchange({ method: 'GET', url: `${url}/slow`, signal: abort.signal });
        setTimeout(() => abort.abort(), 50);
        await expect(slow).rejects.toThrow();
        const pre = new AbortController();
        pre.abort();
        await expect(http.exchange({ method: 'GET', url: `${url}/x`, signal: pre.signal })).rejects.toThrow(/aborted/);
        expect((await http.exchange({ method: 'GET', url: `${url}/ok` })).status).toBe(200);
      },
    );
  });

  it('rejects with the connection error when the server cannot be reached', async () => {
    const dispatcher = new Agent({ connections: 1, connect: { timeout: 2000 } });
    try {
      const http = new HttpClient({ dispatcher, maxInFlight: 1 });
      await expect(http.exchange({ method: 'GET', url: 'http://127.0.0.1:1/x' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await dispatcher.close();
    }
  });
});
