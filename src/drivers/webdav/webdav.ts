import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { Agent, type Dispatcher } from 'undici';
import { FsError, isFsError } from '../../core/errors.js';
import { defineDriver } from '../define-driver.js';
import { countBody, uploadFailure } from '../shared/byte-counter.js';
import { isSmallBody, readSmallBody } from '../../core/small-body.js';
import { discard, header, HttpClient, type HttpRequest, type HttpResponse } from '../shared/http.js';
import { fitToSpan, parseContentRange, wantedSpan } from '../shared/range.js';
import { baseName, checkTransfer, parentOf } from '../shared/rel-path.js';
import { Retry } from '../shared/retry.js';
import type { Driver, DriverContext, Entry, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { webdavOptions, type WebdavOptions } from './options.js';
import { webdavMeta } from './meta.js';
import { parseMultistatus, PROPFIND_BODY, type DavResource } from './propfind.js';
import { DavUrls, isUploadTemp } from './urls.js';
import { requestError } from '../shared/request-error.js';
import { statusError } from './webdav.errors.js';

export interface WebdavSettings {
  urls: DavUrls;
  http: HttpClient;
  /** A dispatcher the driver created itself (insecure TLS) and must close. */
  ownDispatcher?: Dispatcher;
}

type Call = HttpRequest & { op: string; rel: string; ok: readonly number[] };

const PUT_OK = [200, 201, 204] as const;
/** A PUT's answers that are not failures: 405/409 (a folder there, or no parent) are looked into. */
const PUT_OR_CONFLICT = [200, 201, 204, 405, 409] as const;

/** When the second clean-up of a failed upload's temp file runs. */
const LATE_CLEANUP_MS = 2000;

/** The WebDav driver: a folder on any WebDAV server (rclone, Nextcloud, Apache, nginx, ...). See docs/drivers/webdav.md. */
export class WebdavDriver implements Driver {
  private readonly urls: DavUrls;
  /** Folders seen to exist in the last seconds: repeated writes into one folder skip the look. */
  private readonly knownDirs = new LRUCache<string, true>({ max: 2000, ttl: 10_000 });
  /** For reads (PROPFIND, and a GET until its answer): repeated after a retryable failure. */
  private readonly retry = new Retry();

  constructor(private readonly s: WebdavSettings) {
    this.urls = s.urls;
  }

  async init(signal: AbortSignal): Promise<void> {
    const root = await this.propfind('', '0', { op: 'init', signal });
    if (!root?.isDir) throw new FsError(root ? 'not_a_directory' : 'not_found', `init: the root folder ${this.urls.url('')} ${root ? 'is not a folder' : 'does not exist'}`);
  }

  async close(): Promise<void> {
    await this.s.ownDispatcher?.destroy();
  }

  async stat(path: string): Promise<Entry> {
    const r = await this.propfind(path, '0', { op: 'stat' });
    if (!r) throw new FsError('not_found', `stat "/${path}": no such file or folder`);
    return entryOf(baseName(path), r);
  }

  async *list(dir: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const resources = await this.propfindAll(dir, '1', { op: 'list', signal: options.signal });
    if (!resources) throw new FsError('not_found', `list "/${dir}": no such folder`);
    const self = resources.find((r) => this.urls.relOf(r.path) === dir);
    if (self && !self.isDir) throw new FsError('not_a_directory', `list "/${dir}": not a folder`);
    for (const r of resources) {
      const rel = this.urls.relOf(r.path);
      if (rel === undefined || rel === dir || parentOf(rel) !== dir) continue;
      const name = baseName(rel);
      if (name !== '' && !isUploadTemp(name)) yield entryOf(name, r);
    }
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { range, signal } = options;
    const st = await this.stat(path);
    if (st.isDir) throw new FsError('is_a_directory', `read "/${path}": is a folder`);
    const wanted = range ? wantedSpan(range, st.size, `read "/${path}"`) : undefined;
    const get: Call = { method: 'GET', url: this.urls.url(path), headers: wanted ? { range: `bytes=${wanted.start}-${wanted.end}` } : {}, signal, op: 'read', rel: path, ok: [200, 206] };
    const res = await this.retry.run(() => this.call(get), { signal });
    const sent = res.status === 206 ? parseContentRange(header(res.headers, 'content-range')) : undefined;
    const size = sent?.size ?? st.size;
    if (!wanted) return { stream: res.body, size };
    // A 200 to a ranged request means the server ignored the range: the body is the whole file.
    const fitted = fitToSpan(res.body, sent ?? { start: 0, end: size - 1 }, wanted);
    return { stream: fitted.stream, size, range: fitted.range };
  }

  /**
   * A small body is received whole, then sent with one PUT to its name; a larger one goes to a
   * hidden temp name in the target folder and is MOVEd over the target. Never a half file.
   */
  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    if (path === '') throw new FsError('is_a_directory', 'write "/": the storage root is a folder');
    if (isSmallBody(options.size)) return this.writeWhole(path, await readSmallBody(body, options.size, path, options.signal), options);
    await this.ensureParent(path);
    const temp = [parentOf(path), `.filebridge-upload-${randomUUID()}.tmp`].filter((p) => p !== '').join('/');
    try {
      const size = await this.upload(temp, body, { ...options, rel: path });
      await this.commit(temp, path);
      return { name: baseName(path), isDir: false, size, mtime: options.mtime ?? new Date() };
    } catch (err) {
      await this.dropQuietly(temp, path);
      // A server that writes in place may still be finishing the broken PUT when the first DELETE
      // arrives (and answers 404): a second one, a little later, removes what it leaves behind.
      setTimeout(() => void this.dropQuietly(temp, path), LATE_CLEANUP_MS).unref();
      throw err;
    }
  }

  /**
   * One PUT of a body already received: a client that breaks off never reaches the upstream, and
   * on a loopback or LAN link the request completes or fails as a whole. A failed request leaves
   * nothing: what a server that writes in place may have started is deleted.
   */
  private async writeWhole(path: string, data: Buffer, options: WriteOptions): Promise<Entry> {
    await this.ensureParent(path);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(data.length) };
    if (options.mtime) headers['x-oc-mtime'] = String(Math.floor(options.mtime.getTime() / 1000));
    const put: Call = { method: 'PUT', url: this.urls.url(path), headers, body: data, signal: options.signal, op: 'write', rel: path, ok: PUT_OR_CONFLICT };
    let status: number;
    try {
      status = (await this.answer(put)).status;
    } catch (err) {
      if (!isFsError(err) || !['not_found', 'conflict', 'permission_denied', 'quota_exceeded'].includes(err.code)) await this.dropQuietly(path, path);
      throw err;
    }
    if (status === 405 || status === 409) {
      // A folder at that name, or the parent went away since it was seen.
      const existing = await this.propfind(path, '0', { op: 'write' });
      if (existing?.isDir) throw new FsError('is_a_directory', `write "/${path}": a folder exists at this path`);
      this.knownDirs.delete(parentOf(path));
      await this.ensureParent(path);
      await this.answer({ ...put, ok: PUT_OK });
    }
    return { name: baseName(path), isDir: false, size: data.length, mtime: options.mtime ?? new Date() };
  }

  /**
   * Moves the finished temp file onto the target: without overwriting first (one round trip for
   * a new file); when something is there, a folder is refused and a file replaced.
   */
  private async commit(temp: string, path: string): Promise<void> {
    const move = (overwrite: 'T' | 'F') => ({ method: 'MOVE', url: this.urls.url(temp), headers: { destination: this.urls.url(path), overwrite }, op: 'write', rel: path, ok: [201, 204, 412] });
    const first = await this.answer(move('F'));
    if (first.status !== 412) return;
    const existing = await this.propfind(path, '0', { op: 'write' });
    if (existing?.isDir) throw new FsError('is_a_directory', `write "/${path}": a folder exists at this path`);
    await this.answer({ ...move('T'), ok: [201, 204] });
  }

  /** MKCOL; creates missing parents and treats an existing folder as success. */
  async mkdir(path: string): Promise<void> {
    if (path === '') return;
    if ((await this.ensureFolder(path)) === 'created') return;
    const st = await this.propfind(path, '0', { op: 'mkdir' });
    if (!st?.isDir) throw new FsError('already_exists', `mkdir "/${path}": a file exists at this path`);
  }

  /**
   * Makes sure the parent folder of `path` exists. Looks first (PROPFIND is read-only), since
   * concurrent MKCOLs of one folder collide on servers that lock during a request (423).
   */
  private async ensureParent(path: string): Promise<void> {
    const parent = parentOf(path);
    if (parent === '' || this.knownDirs.has(parent)) return;
    if (!(await this.propfind(parent, '0', { op: 'write' }))?.isDir) await this.ensureFolder(parent);
    this.knownDirs.set(parent, true);
  }

  /**
   * MKCOL, creating missing parents on 409; 405 means something exists there already. A 423
   * (another request is creating it right now) is settled by looking again.
   */
  private async ensureFolder(path: string): Promise<'created' | 'exists'> {
    if (path === '') return 'exists';
    const mkcol = { method: 'MKCOL', url: this.urls.url(path, { dir: true }), op: 'mkdir', rel: path };
    let res = await this.answer({ ...mkcol, ok: [201, 405, 409, 423] });
    if (res.status === 409) {
      await this.ensureFolder(parentOf(path));
      res = await this.answer({ ...mkcol, ok: [201, 405, 423] });
    }
    if (res.status === 423 && !(await this.propfind(path, '0', { op: 'mkdir' }))?.isDir) throw statusError(423, 'mkdir', path);
    return res.status === 201 ? 'created' : 'exists';
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    if (path === '') throw new FsError('permission_denied', 'remove "/": the storage root cannot be removed');
    this.knownDirs.clear();
    const st = await this.stat(path);
    if (st.isDir && !options.recursive) {
      for await (const child of this.list(path)) {
        void child;
        throw new FsError('directory_not_empty', `remove "/${path}": folder is not empty`);
      }
    }
    await this.answer({ method: 'DELETE', url: this.urls.url(path, { dir: st.isDir }), op: 'remove', rel: path, ok: [200, 204] });
  }

  async move(from: string, to: string): Promise<void> {
    this.knownDirs.clear();
    await this.transfer('MOVE', from, to);
  }

  async copy(from: string, to: string): Promise<void> {
    await this.transfer('COPY', from, to);
  }

  /** MOVE or COPY with Overwrite: F; creates the destination's parent when the server says it is missing. */
  private async transfer(method: 'MOVE' | 'COPY', from: string, to: string): Promise<void> {
    const op = method === 'MOVE' ? 'move' : 'copy';
    checkTransfer(op, from, to);
    const st = await this.stat(from);
    const dir = st.isDir;
    const req: Call = {
      method,
      url: this.urls.url(from, { dir }),
      headers: { destination: this.urls.url(to, { dir }), overwrite: 'F', ...(dir ? { depth: 'infinity' } : {}) },
      op,
      rel: from,
      ok: [201, 204, 409],
    };
    const res = await this.answer(req);
    if (res.status !== 409) return;
    await this.mkdir(parentOf(to));
    await this.answer({ ...req, ok: [201, 204] });
  }

  private async upload(temp: string, body: Readable, o: WriteOptions & { rel: string }): Promise<number> {
    const counted = countBody(body, o.size, o.rel);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (o.size !== undefined) headers['content-length'] = String(o.size);
    if (o.mtime) headers['x-oc-mtime'] = String(Math.floor(o.mtime.getTime() / 1000));
    try {
      if (o.signal?.aborted) throw new FsError('aborted', `write "/${o.rel}": aborted`);
      await this.answer({ method: 'PUT', url: this.urls.url(temp), headers, body: counted.stream, signal: o.signal, op: 'write', rel: o.rel, ok: [200, 201, 204] });
      return counted.bytes();
    } catch (err) {
      counted.stream.destroy();
      throw uploadFailure(err, { signal: o.signal, bodyError: counted.clientError(), rel: o.rel }) ?? err;
    }
  }

  /** PROPFIND of one path; undefined when it does not exist. */
  private async propfind(path: string, depth: '0', o: { op: string; signal?: AbortSignal }): Promise<DavResource | undefined> {
    const all = await this.propfindAll(path, depth, o);
    return all?.find((r) => this.urls.relOf(r.path) === path) ?? all?.[0];
  }

  /** PROPFIND with a depth (read-only: repeated after a retryable failure); undefined on 404. */
  private propfindAll(path: string, depth: '0' | '1', o: { op: string; signal?: AbortSignal }): Promise<DavResource[] | undefined> {
    const url = this.urls.url(path, { dir: depth === '1' });
    const headers = { depth, 'content-type': 'application/xml; charset=utf-8' };
    return this.retry.run(async () => {
      const res = await this.call({ method: 'PROPFIND', url, headers, body: PROPFIND_BODY, signal: o.signal, op: o.op, rel: path, ok: [207, 404] });
      if (res.status === 404) {
        await discard(res);
        return undefined;
      }
      const xml = await res.body.text().catch((err: unknown) => Promise.reject(requestError(err, o.op, path)));
      return parseMultistatus(xml, url, `${o.op} "/${path}"`);
    }, { signal: o.signal });
  }

  /** Sends a request; a status outside `ok` consumes the body and throws the mapped error. */
  private async call(c: Call): Promise<HttpResponse> {
    const res = await this.s.http.send(c).catch((err: unknown) => failed(err, c));
    if (c.ok.includes(res.status)) return res;
    await discard(res);
    throw statusError(res.status, c.op, c.rel, res.headers);
  }

  /** Best-effort DELETE of what a failed write may have left at `target` (never throws). */
  private async dropQuietly(target: string, rel: string): Promise<void> {
    await this.answer({ method: 'DELETE', url: this.urls.url(target), op: 'write', rel, ok: [200, 204, 404] }).catch(() => undefined);
  }

  /**
   * Sends a request whose answer is only a status (PUT of a small body, MOVE, MKCOL, DELETE): no
   * response stream; a status outside `ok` throws the mapped error.
   */
  private async answer(c: Call): Promise<{ status: number }> {
    const res = await this.s.http.exchange(c).catch((err: unknown) => failed(err, c));
    if (c.ok.includes(res.status)) return res;
    throw statusError(res.status, c.op, c.rel, res.headers);
  }
}

/** A request that threw: aborted when its signal was, else the mapped network error. */
function failed(err: unknown, c: Call): never {
  if (c.signal?.aborted) throw new FsError('aborted', `${c.op} "/${c.rel}": aborted`, { cause: err });
  throw requestError(err, c.op, c.rel);
}

function entryOf(name: string, r: DavResource): Entry {
  return { name, isDir: r.isDir, size: r.isDir ? 0 : r.size, ...(r.mtime ? { mtime: r.mtime } : {}) };
}

export function createWebdavDriver(o: WebdavOptions, ctx: DriverContext): WebdavDriver {
  const maxInFlight = Math.max(1, Math.floor(o.max_connections));
  const ownDispatcher = o.tls_insecure_skip_verify
    ? new Agent({ connections: maxInFlight, keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 120_000, connect: { timeout: 15_000, rejectUnauthorized: false } })
    : undefined;
  const headers: Record<string, string> = {};
  if (o.username !== '' || o.password !== '') {
    headers.authorization = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
  }
  return new WebdavDriver({
    urls: new DavUrls(o.address, o.root_folder_path),
    http: new HttpClient({ dispatcher: ownDispatcher ?? ctx.dispatcher, maxInFlight, headers }),
    ...(ownDispatcher ? { ownDispatcher } : {}),
  });
}

export const webdavDriver = defineDriver({
  ...webdavMeta,
  create: (options, ctx) => createWebdavDriver(options, ctx),
});
