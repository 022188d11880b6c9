import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import { FsError, isFsError } from '../../core/errors.js';
import { defineDriver } from '../define-driver.js';
import { countBody, uploadFailure } from '../shared/byte-counter.js';
import { discard, header } from '../shared/http.js';
import { OAuthDriver, oauthApi } from '../shared/oauth-api.js';
import type { TokenManager } from '../shared/oauth/index.js';
import { baseName, checkTransfer, ifFound, mustExist, parentOf } from '../shared/rel-path.js';
import { requestError } from '../shared/request-error.js';
import type { RestCall, RestClient } from '../shared/rest.js';
import type { Driver, DriverContext, Entry, Link, Quota, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { graphError } from './onedrive.errors.js';
import { onedriveOptions, REGIONS, type OnedriveOptions } from './options.js';
import { onedriveMeta } from './meta.js';
import { CHUNK_UNIT, uploadSession } from './upload.js';
import { anyJson, entryOf, graphChildren, graphDrive, graphItem, type GraphItem } from './wire.js';

/** Graph's limit for a simple PUT upload. */
const SIMPLE_MAX = 4 * 1024 * 1024;

/** The Onedrive driver: OneDrive / SharePoint through Microsoft Graph. See docs/drivers/onedrive.md. */
export class OnedriveDriver extends OAuthDriver implements Driver {
  private readonly drive: string;
  private readonly prefix: string;

  constructor(
    private readonly o: OnedriveOptions,
    private readonly graph: RestClient,
    tokens: TokenManager,
    private readonly ctx: DriverContext,
    graphBase: string,
  ) {
    super(tokens);
    this.drive = `${graphBase}${o.is_sharepoint ? `/sites/${encodeURIComponent(o.site_id)}/drive` : '/me/drive'}`;
    this.prefix = o.root_folder_path.split('/').filter((s) => s !== '').join('/');
  }

  async init(signal: AbortSignal): Promise<void> {
    await this.tokens.start();
    if (this.o.is_sharepoint && this.o.site_id === '') throw new FsError('invalid_input', 'Onedrive: is_sharepoint needs a site_id');
    const root = await this.get(this.url(''), graphItem, { op: 'init', rel: '', signal });
    if (!root.folder) throw new FsError('not_a_directory', `init: root_folder_path ${this.o.root_folder_path} is not a folder`);
    this.ctx.logger.info({ token: this.tokens.status().route }, 'Onedrive ready');
  }

  async stat(path: string): Promise<Entry> {
    return entryOf(await this.must(path, 'stat'), baseName(path));
  }

  async *list(dir: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const item = await this.must(dir, 'list');
    if (!item.folder) throw new FsError('not_a_directory', `list "/${dir}": not a folder`);
    let next: string | undefined = `${this.url(dir)}/children?$top=200`;
    while (next) {
      const page: { value: GraphItem[]; '@odata.nextLink'?: string | undefined } = await this.get(next, graphChildren, { op: 'list', rel: dir, signal: options.signal });
      for (const i of page.value) yield entryOf(i);
      next = page['@odata.nextLink'];
    }
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const item = await this.must(path, 'read');
    if (item.folder) throw new FsError('is_a_directory', `read "/${path}": is a folder`);
    return this.graph.download(await this.contentUrl(path, options.signal), { size: item.size, range: options.range, signal: options.signal, rel: path });
  }

  async link(path: string): Promise<Link> {
    const item = await this.must(path, 'link');
    if (item.folder) throw new FsError('is_a_directory', `link "/${path}": is a folder`);
    // Graph's pre-authenticated download URLs last about an hour; promise less.
    return { url: await this.contentUrl(path), expiresAt: new Date(Date.now() + 30 * 60_000) };
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    if (path === '') throw new FsError('is_a_directory', 'write "/": the storage root is a folder');
    const existing = await this.find(path, 'write');
    if (existing?.folder) throw new FsError('is_a_directory', `write "/${path}": a folder exists at this path`);
    await this.mkdirs(parentOf(path));
    const counted = countBody(body, options.size, path);
    const counter = counted.stream;
    let spool: string | undefined;
    try {
      let size = options.size;
      let source: Readable = counter;
      if (size === undefined) {
        // Graph needs the total size up front: spool an unknown-size body to the mount's temp folder.
        spool = join(this.ctx.tempDir, `onedrive-${randomUUID()}.part`);
        await pipeline(counter, createWriteStream(spool));
        size = counter.bytes();
        source = createReadStream(spool);
      }
      const item = size <= SIMPLE_MAX ? await this.simplePut(path, source, options.signal) : await uploadSession(this.session(path, size, options.signal), source);
      return entryOf(item, baseName(path));
    } catch (err) {
      counter.destroy();
      throw uploadFailure(err, { signal: options.signal, bodyError: counted.clientError(), rel: path }) ?? requestError(err, 'write', path);
    } finally {
      if (spool) await rm(spool, { force: true });
    }
  }

  async mkdir(path: string): Promise<void> {
    const found = await this.find(path, 'mkdir');
    if (found?.folder) return;
    if (found) throw new FsError('already_exists', `mkdir "/${path}": a file exists at this path`);
    await this.mkdirs(path);
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    if (path === '') throw new FsError('permission_denied', 'remove "/": the storage root cannot be removed');
    const item = await this.must(path, 'remove');
    if (item.folder && !options.recursive) {
      const page = await this.get(`${this.url(path)}/children?$top=1`, graphChildren, { op: 'remove', rel: path });
      if (page.value.length > 0) throw new FsError('directory_not_empty', `remove "/${path}": folder is not empty`);
    }
    await discard(await this.graph.send({ method: 'DELETE', url: `${this.drive}/items/${encodeURIComponent(item.id)}` }, { op: 'remove', rel: path }));
  }

  /** PATCH name and parentReference, conflictBehavior fail: an existing destination is already_exists. */
  async move(from: string, to: string): Promise<void> {
    checkTransfer('move', from, to);
    const src = await this.must(from, 'move');
    if (await this.find(to, 'move')) throw new FsError('already_exists', `move "/${from}": "/${to}" already exists`);
    const parent = await this.mkdirs(parentOf(to));
    const url = `${this.drive}/items/${encodeURIComponent(src.id)}?@microsoft.graph.conflictBehavior=fail`;
    await this.graph.json({ method: 'PATCH', url, json: { name: baseName(to), parentReference: { id: parent.id } } }, anyJson, { op: 'move', rel: from });
  }

  /** Graph copies asynchronously (a monitor URL to poll); core streams the copy instead. */
  async copy(from: string): Promise<void> {
    throw new FsError('not_supported', `copy "/${from}": OneDrive copies asynchronously; streamed instead`);
  }

  async about(): Promise<Quota> {
    const d = await this.get(this.drive, graphDrive, { op: 'about', rel: '' });
    return { ...(d.quota?.total !== undefined ? { total: d.quota.total } : {}), ...(d.quota?.used !== undefined ? { used: d.quota.used } : {}), ...(d.quota?.remaining !== undefined ? { free: d.quota.remaining } : {}) };
  }

  private async simplePut(path: string, source: Readable, signal?: AbortSignal): Promise<GraphItem> {
    const parts: Buffer[] = [];
    for await (const chunk of source) parts.push(chunk as Buffer);
    const data = Buffer.concat(parts);
    // A whole body replacing the item: safe to send again.
    const url = `${this.url(path)}/content?@microsoft.graph.conflictBehavior=replace`;
    return this.graph.json({ method: 'PUT', url, body: data, headers: { 'content-type': 'application/octet-stream' } }, graphItem, { op: 'write', rel: path, signal, idempotent: true });
  }

  private session(path: string, size: number, signal?: AbortSignal) {
    const chunk = Math.max(CHUNK_UNIT, Math.floor((this.o.chunk_size * 1024 * 1024) / CHUNK_UNIT) * CHUNK_UNIT);
    return { graph: this.graph, itemUrl: this.url(path), size, chunk, rel: path, signal };
  }

  /** The pre-authenticated download URL: GET .../content answers 302 with it. */
  private async contentUrl(path: string, signal?: AbortSignal): Promise<string> {
    const res = await this.graph.send({ method: 'GET', url: `${this.url(path)}/content` }, { op: 'read', rel: path, signal, idempotent: true });
    await discard(res);
    const location = header(res.headers, 'location');
    if (res.status < 300 || res.status >= 400 || !location) throw new FsError('upstream_error', `read "/${path}": no download URL (status ${res.status})`);
    return new URL(location, this.drive).toString();
  }

  /** Creates the folder and its missing parents (conflictBehavior fail; a folder that appeared meanwhile is fine). */
  private async mkdirs(path: string): Promise<GraphItem> {
    const found = await this.find(path, 'mkdir');
    if (found?.folder) return found;
    if (found) throw new FsError('not_a_directory', `"/${path}" is a file, not a folder`);
    const parent = await this.mkdirs(parentOf(path));
    const body = { name: baseName(path), folder: {}, '@microsoft.graph.conflictBehavior': 'fail' };
    try {
      return await this.graph.post(`${this.drive}/items/${encodeURIComponent(parent.id)}/children`, body, graphItem, { op: 'mkdir', rel: path });
    } catch (err) {
      if (!isFsError(err, 'already_exists')) throw err;
      const now = await this.must(path, 'mkdir');
      if (!now.folder) throw new FsError('already_exists', `mkdir "/${path}": a file exists at this path`);
      return now;
    }
  }

  private async must(path: string, op: string): Promise<GraphItem> {
    return mustExist(await this.find(path, op), op, path);
  }

  private find(path: string, op: string): Promise<GraphItem | undefined> {
    return ifFound(this.get(this.url(path), graphItem, { op, rel: path }));
  }

  /** A GET of Graph JSON (repeated on a transient failure: it changes nothing). */
  private get<S extends z.ZodType>(url: string, schema: S, c: RestCall): Promise<z.infer<S>> {
    return this.graph.json({ method: 'GET', url }, schema, { ...c, idempotent: true });
  }

  /** The item URL by path: `/me/drive/root` or `/me/drive/root:/a/b:` (each segment percent-encoded). */
  private url(rel: string): string {
    const full = [this.prefix, rel].filter((s) => s !== '').join('/');
    if (full === '') return `${this.drive}/root`;
    return `${this.drive}/root:/${full.split('/').map(encodeURIComponent).join('/')}:`;
  }
}

export function createOnedrive(o: OnedriveOptions, ctx: DriverContext): OnedriveDriver {
  const region = REGIONS[o.region] ?? REGIONS.global;
  const base = (o.api_base_url || region?.graph || '').replace(/\/+$/, '');
  const login = (o.oauth_base_url || region?.login || '').replace(/\/+$/, '');
  const { api, tokens } = oauthApi(o, ctx, {
    baseUrl: base,
    mapError: graphError,
    oauth: o.client_id !== '' ? { url: `${login}/common/oauth2/v2.0/token`, clientId: o.client_id, clientSecret: o.client_secret, encoding: 'form', extra: { redirect_uri: o.redirect_uri } } : undefined,
    online: o.use_online_api && o.api_url_address !== '' ? { url: o.api_url_address, style: 'renewapi', driverTxt: 'onedrive_pr' } : undefined,
    noRoute: 'Onedrive: set client_id (and client_secret), or turn on use_online_api',
  });
  return new OnedriveDriver(o, api, tokens, ctx, base);
}

export const onedriveDriver = defineDriver({
  ...onedriveMeta,
  create: (options, ctx) => createOnedrive(options, ctx),
});
