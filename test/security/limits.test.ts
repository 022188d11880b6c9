import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { basicAuth, raw } from './http.js';

const ADMIN = basicAuth('admin', 'admin-test-pass');

/** Writes a request head by hand (so nothing in the client refuses it) and returns the status line. */
function rawHead(base: string, head: string): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => sock.write(head));
    let got = '';
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) {
        resolve(got.split('\r\n')[0] ?? '');
        sock.destroy();
      }
    });
    sock.on('error', (err) => (got ? resolve(got.split('\r\n')[0] ?? '') : reject(err)));
    sock.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
  });
}

/** Streams `total` bytes chunked (no Content-Length) and returns the status and body of the answer. */
function streamBody(base: string, method: string, path: string, headers: Record<string, string>, total: number): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        // A client that got its answer stops sending (the server stopped reading the body).
        req.destroy();
      });
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: -1, body: '' }));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (req.destroyed) return;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('oversized headers and bodies', () => {
  let server: TestServer;
  let work: string;
  let token = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-limits-'));
    mkdirSync(join(work, 'root'));
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'root') }) }] });
    token = server.settings.get('token');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers 431 to a 64 KiB header and to a 64 KiB URL, at every door', async () => {
    for (const path of ['/api/fs/list', '/d/x', '/dav/', '/']) {
      expect(await rawHead(server.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
      expect(await rawHead(server.url, `GET ${path}${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    }
    expect(await rawHead(server.url, `GET /api/me HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
  });

  it('answers 413 to oversized JSON bodies (API envelope code) and WebDAV XML bodies (HTTP status)', async () => {
    const big = JSON.stringify({ path: 'x'.repeat(4 * 1024 * 1024) });
    const api = await raw(server.url, 'POST', '/api/fs/list', { authorization: token, 'content-type': 'application/json' }, big);
    expect(JSON.parse(api.body).code).toBe(413);
    const chunked = await streamBody(server.url, 'POST', '/api/admin/setting/save', { authorization: token, 'content-type': 'application/json' }, 8 * 1024 * 1024);
    expect(chunked.status === -1 || JSON.parse(chunked.body).code === 413).toBe(true);
    for (const method of ['PROPFIND', 'PROPPATCH', 'LOCK']) {
      const r = await streamBody(server.url, method, '/dav/', { authorization: ADMIN, 'content-type': 'application/xml', depth: '1' }, 8 * 1024 * 1024);
      expect([413, -1], method).toContain(r.status);
    }
  });

  it('does not grow memory when many oversized bodies arrive at once', async () => {
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      sends.push(streamBody(server.url, 'POST', '/api/fs/list', { authorization: token, 'content-type': 'application/json' }, 16 * 1024 * 1024));
      sends.push(streamBody(server.url, 'PROPFIND', '/dav/', { authorization: ADMIN, 'content-type': 'application/xml', depth: '1' }, 16 * 1024 * 1024));
    }
    await Promise.all(sends);
    clearInterval(timer);
    // 24 bodies of 16 MiB (384 MiB) were offered; buffering them would show here.
    expect((peak - base) / 2 ** 20).toBeLessThan(120);
    const after = await raw(server.url, 'POST', '/api/fs/list', { authorization: token, 'content-type': 'application/json' }, '{"path":"/"}');
    expect(JSON.parse(after.body).code).toBe(200);
  });
});
