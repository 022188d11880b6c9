import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP source for offline-download tests, on 127.0.0.1. Files are registered by name; the
 * first path segment picks how they are served:
 *   /plain/<name>    Content-Length, Range honoured (206), strong ETag
 *   /norange/<name>  Content-Length, no Accept-Ranges, Range ignored
 *   /chunked/<name>  chunked, no length, Range ignored
 *   /slow/<name>     like plain, paced (64 KiB per `slowMs`)
 *   /drop/<name>     like plain, but the first `dropTimes` answers stop half-way (the socket is cut)
 *   /dropall/<name>  like norange, every answer stops half-way
 *   /redirect/<n>    302 to the `Location` registered with `redirect(n, to)`
 *   /huge/<any>      claims 10^15 bytes with Range support, then hangs up
 */
export class SourceServer {
  readonly files = new Map<string, Buffer>();
  readonly requests: { path: string; range?: string }[] = [];
  private readonly redirects = new Map<string, string>();
  private readonly drops = new Map<string, number>();
  slowMs = 40;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Registers `size` random bytes under `name`; returns their SHA-256. */
  add(name: string, size: number): string {
    const body = randomBytes(size);
    this.files.set(name, body);
    return sha256(body);
  }

  /** `/drop/<name>` cuts its first `times` answers half-way. */
  dropFirst(name: string, times: number): void {
    this.drops.set(name, times);
  }

  redirect(name: string, to: string): void {
    this.redirects.set(name, to);
  }

  rangeRequests(name: string): number {
    return this.requests.filter((r) => r.path.endsWith(`/${name}`) && r.range).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const [, mode = '', name = ''] = decodeURIComponent((req.url ?? '').split('?')[0] ?? '').split('/');
    this.requests.push({ path: req.url ?? '', ...(req.headers.range ? { range: req.headers.range } : {}) });
    if (mode === 'huge') {
      // Claims a petabyte, resumable: more than any staging folder holds.
      res.writeHead(200, { 'content-length': String(10 ** 15), 'accept-ranges': 'bytes' });
      res.write(Buffer.alloc(1024), () => res.socket?.destroy());
      return;
    }
    if (mode === 'redirect') {
      res.writeHead(302, { location: this.redirects.get(name) ?? '/' }).end();
      return;
    }
    const body = this.files.get(name);
    if (!body) {
      res.writeHead(404).end('no such file');
      return;
    }
    const etag = `"${sha256(body).slice(0, 16)}"`;
    const ranged = mode === 'plain' || mode === 'slow' || mode === 'drop';
    let start = 0;
    let end = body.length - 1;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const partial = ranged && m !== null && (!ifRange || ifRange === etag);
    if (partial) {
      start = Number(m[1]);
      if (m[2]) end = Math.min(end, Number(m[2]));
      if (start >= body.length || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
    }
    const part = body.subarray(start, end + 1);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (mode !== 'chunked') headers['content-length'] = String(part.length);
    if (ranged) Object.assign(headers, { 'accept-ranges': 'bytes', etag });
    if (partial) headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
    res.writeHead(partial ? 206 : 200, headers);
    let cut = mode === 'dropall';
    if (mode === 'drop' && (this.drops.get(name) ?? 0) > 0) {
      this.drops.set(name, (this.drops.get(name) ?? 0) - 1);
      cut = true;
    }
    if (cut) {
      res.write(part.subarray(0, Math.floor(part.length / 2)), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    if (mode !== 'slow') {
      res.end(part);
      return;
    }
    let at = 0;
    const step = () => {
      if (res.destroyed) return;
      const next = part.subarray(at, at + 64 * 1024);
      at += next.length;
      if (at >= part.length) res.end(next);
      else res.write(next, () => setTimeout(step, this.slowMs));
    };
    step();
  }
}

import { sha256 } from '../helpers/files.js';

export { sha256 };
