import { addAbortSignal, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { FsError } from '../../core/errors.js';
import { defineDriver } from '../define-driver.js';
import { s3Meta } from './meta.js';
import { fitToSpan, parseContentRange, wantedSpan } from '../shared/range.js';
import type { ByteRange, Driver, DriverContext, Entry, Link, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { createS3Client, type OwnedS3Client } from './client.js';
import { baseName, KeyMap } from './keys.js';
import { listPages, type Lister } from './listing.js';
import { isMissing, s3Call, s3Error } from './s3.errors.js';
import { copyObject, copyPrefix, deleteKeys, deletePrefix, MAX_COPY_BYTES, objectsForCopy, type TreeOps } from './tree.js';
import { uploadObject } from './upload.js';
import { s3Options, type S3Options } from './options.js';

export interface S3Settings {
  bucket: string;
  keys: KeyMap;
  listVersion: 'v1' | 'v2';
  maxConnections: number;
  signUrlExpireSeconds: number;
  customHost: string;
}

interface ObjectHead {
  size: number;
  lastModified?: Date;
}

/** The S3 driver: one bucket (optionally below a root prefix) of any S3-compatible store. See docs/drivers/s3.md. */
export class S3Driver implements Driver {
  private readonly client: S3Client;
  private readonly lister: Lister;
  private readonly tree: TreeOps;

  constructor(
    private readonly owned: OwnedS3Client,
    private readonly s: S3Settings,
  ) {
    this.client = owned.client;
    this.lister = { client: this.client, bucket: s.bucket, version: s.listVersion };
    this.tree = { lister: this.lister, client: this.client, bucket: s.bucket, concurrency: Math.max(1, Math.min(8, s.maxConnections)) };
  }

  /** Checks that the bucket answers, with a one-key listing of the root (needs only list rights). */
  async init(signal: AbortSignal): Promise<void> {
    const pages = listPages(this.lister, { prefix: this.s.keys.rootPrefix, delimiter: '/', limit: 1, signal, op: 'init', rel: '' });
    await pages.next();
    await pages.return(undefined);
  }

  async close(): Promise<void> {
    this.owned.destroy();
  }

  connectionStats() {
    return this.owned.connectionStats();
  }

  async stat(path: string): Promise<Entry> {
    if (path === '') return { name: '', isDir: true, size: 0 };
    // Both questions at once: one round trip of latency, and a server that fails HEAD on a
    // "folder" key (some S3-compatible servers answer 500 there) still gets the folder right.
    const [head, folder] = await Promise.allSettled([this.headObject(path, 'stat'), this.isFolder(path, 'stat')]);
    if (head.status === 'fulfilled' && head.value) return fileEntry(baseName(path), head.value);
    if (folder.status === 'fulfilled' && folder.value) return { name: baseName(path), isDir: true, size: 0 };
    if (head.status === 'rejected') throw head.reason;
    if (folder.status === 'rejected') throw folder.reason;
    throw new FsError('not_found', `stat "/${path}": no such file or folder`);
  }

  async *list(dir: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const prefix = this.s.keys.dirPrefix(dir);
    let any = false;
    for await (const page of listPages(this.lister, { prefix, delimiter: '/', signal: options.signal, op: 'list', rel: dir })) {
      any ||= page.prefixes.length > 0 || page.objects.length > 0;
      for (const p of page.prefixes) {
        const name = p.slice(prefix.length, -1);
        if (name !== '') yield { name, isDir: true, size: 0 };
      }
      for (const o of page.objects) {
        if (this.s.keys.isMarker(o.key, prefix)) continue;
        yield fileEntry(o.key.slice(prefix.length), { size: o.size, lastModified: o.lastModified });
      }
    }
    if (any || dir === '') return;
    if (await this.headObject(dir, 'list')) throw new FsError('not_a_directory', `list "/${dir}": not a folder`);
    throw new FsError('not_found', `list "/${dir}": no such folder`);
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { range, signal } = options;
    if (signal?.aborted) throw new FsError('aborted', `read "/${path}": aborted`);
    if (path === '') throw new FsError('is_a_directory', 'read "/": the storage root is a folder');
    const Range = range ? `bytes=${range.start}-${range.end ?? ''}` : undefined;
    let out;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.s.bucket, Key: this.s.keys.key(path), Range }), { abortSignal: signal });
    } catch (err) {
      if (isMissing(err) && (await this.isFolder(path, 'read'))) throw new FsError('is_a_directory', `read "/${path}": is a folder`);
      throw s3Error(err, 'read', path);
    }
    return fitRead(out.Body as Readable, { contentRange: out.ContentRange, contentLength: out.ContentLength, range, signal, where: `read "/${path}"` });
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    if (path === '') throw new FsError('is_a_directory', 'write "/": the storage root is a folder');
    if (await this.isFolder(path, 'write')) {
      body.destroy();
      throw new FsError('is_a_directory', `write "/${path}": a folder exists at this path`);
    }
    const size = await uploadObject({ client: this.client, bucket: this.s.bucket, key: this.s.keys.key(path), body, size: options.size, signal: options.signal, rel: path });
    return { name: baseName(path), isDir: false, size, mtime: new Date() };
  }

  /** Puts a placeholder object in the folder and in each of its parents, so they persist when empty. */
  async mkdir(path: string): Promise<void> {
    if (path === '') return;
    if (await this.headObject(path, 'mkdir')) throw new FsError('already_exists', `mkdir "/${path}": a file exists at this path`);
    const parts = path.split('/');
    const folders = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    await Promise.all(
      folders.map((f) =>
        s3Call('mkdir', path, () => this.client.send(new PutObjectCommand({ Bucket: this.s.bucket, Key: this.s.keys.placeholderKey(f), Body: '', ContentLength: 0 }))),
      ),
    );
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    if (path === '') throw new FsError('permission_denied', 'remove "/": the storage root cannot be removed');
    if (await this.headObject(path, 'remove')) return deleteKeys(this.tree, [this.s.keys.key(path)], path);
    const prefix = this.s.keys.dirPrefix(path);
    const content: string[] = [];
    for await (const page of listPages(this.lister, { prefix, limit: 3, op: 'remove', rel: path })) content.push(...page.objects.map((o) => o.key));
    if (content.length === 0) throw new FsError('not_found', `remove "/${path}": no such file or folder`);
    const empty = content.every((k) => this.s.keys.isMarker(k, prefix));
    if (!empty && !options.recursive) throw new FsError('directory_not_empty', `remove "/${path}": folder is not empty`);
    await deletePrefix(this.tree, prefix, path);
  }

  /** Copy, then delete the source: S3 has no rename, so a folder move is not atomic. */
  async move(from: string, to: string): Promise<void> {
    const isDir = await this.copyChecked(from, to, 'move');
    if (isDir) await deletePrefix(this.tree, this.s.keys.dirPrefix(from), from);
    else await deleteKeys(this.tree, [this.s.keys.key(from)], from);
  }

  async copy(from: string, to: string): Promise<void> {
    await this.copyChecked(from, to, 'copy');
  }

  /** A presigned GET URL, valid for `sign_url_expire` hours; `custom_host` replaces the URL's host. */
  async link(path: string): Promise<Link> {
    const expiresIn = this.s.signUrlExpireSeconds;
    const signed = await s3Call('link', path, () =>
      getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.s.bucket, Key: this.s.keys.key(path) }), { expiresIn }),
    );
    return { url: withCustomHost(signed, this.s.customHost), expiresAt: new Date(Date.now() + expiresIn * 1000) };
  }

  /** Server-side copy of a file or folder after the checks move and copy share; returns whether it was a folder. */
  private async copyChecked(from: string, to: string, op: 'move' | 'copy'): Promise<boolean> {
    if (from === '' || to === '') throw new FsError('invalid_path', `${op} "/${from}": cannot ${op} the storage root`);
    if (to === from || to.startsWith(`${from}/`)) throw new FsError('invalid_path', `${op} "/${from}": cannot ${op} a folder into itself`);
    const head = await this.headObject(from, op);
    const isDir = !head && (await this.isFolder(from, op));
    if (!head && !isDir) throw new FsError('not_found', `${op} "/${from}": no such file or folder`);
    if ((await this.headObject(to, op)) || (await this.isFolder(to, op))) {
      throw new FsError('already_exists', `${op} "/${from}": destination already exists`);
    }
    if (head) {
      if (head.size > MAX_COPY_BYTES) throw new FsError('not_supported', `${op} "/${from}": larger than 5 GiB, needs a streamed copy`);
      await copyObject(this.tree, this.s.keys.key(from), this.s.keys.key(to), from);
      return false;
    }
    const prefixes = { from: this.s.keys.dirPrefix(from), to: this.s.keys.dirPrefix(to) };
    await copyPrefix(this.tree, await objectsForCopy(this.tree, prefixes.from, from), prefixes, from);
    return true;
  }

  /** HeadObject of a file key; undefined when there is no such object. */
  private async headObject(path: string, op: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.s.bucket, Key: this.s.keys.key(path) }));
      return { size: out.ContentLength ?? 0, ...(out.LastModified ? { lastModified: out.LastModified } : {}) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw s3Error(err, op, path);
    }
  }

  /** A folder exists when any key starts with its prefix (a placeholder counts). */
  private async isFolder(path: string, op: string): Promise<boolean> {
    const pages = listPages(this.lister, { prefix: this.s.keys.dirPrefix(path), limit: 1, op, rel: path });
    const first = await pages.next();
    await pages.return(undefined);
    return !first.done && first.value.objects.length + first.value.prefixes.length > 0;
  }
}

function fileEntry(name: string, head: ObjectHead): Entry {
  return { name, isDir: false, size: head.size, ...(head.lastModified ? { mtime: head.lastModified } : {}) };
}

/**
 * Builds the read result from a GET response: the honoured range from Content-Range, a body
 * trimmed to the asked range when the server sent more (or ignored the range), and the body
 * destroyed on an unsatisfiable range and when the signal aborts.
 */
function fitRead(
  stream: Readable,
  r: { contentRange?: string; contentLength?: number; range?: ByteRange; signal?: AbortSignal; where: string },
): ReadResult {
  const sent = parseContentRange(r.contentRange);
  const size = sent?.size ?? r.contentLength ?? 0;
  if (r.signal) addAbortSignal(r.signal, stream);
  if (!r.range) return { stream, size };
  let wanted;
  try {
    wanted = wantedSpan(r.range, size, r.where);
  } catch (err) {
    stream.destroy();
    throw err;
  }
  const fitted = fitToSpan(stream, sent ?? { start: 0, end: size - 1 }, wanted);
  return { stream: fitted.stream, size, range: fitted.range };
}

/** Replaces the scheme and host of a URL with `custom_host` ("cdn.example.com" or "https://cdn.example.com"). */
export function withCustomHost(url: string, customHost: string): string {
  if (customHost === '') return url;
  const u = new URL(url);
  const target = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(customHost) ? customHost : `${u.protocol}//${customHost}`);
  u.protocol = target.protocol;
  u.hostname = target.hostname;
  u.port = target.port;
  return u.toString();
}

export function createS3Driver(o: S3Options, ctx: DriverContext): S3Driver {
  void ctx;
  const maxConnections = Math.max(1, Math.floor(o.max_connections));
  const owned = createS3Client({
    endpoint: o.endpoint,
    region: o.region || 'us-east-1',
    accessKeyId: o.access_key_id,
    secretAccessKey: o.secret_access_key,
    sessionToken: o.session_token,
    forcePathStyle: o.force_path_style,
    maxConnections,
  });
  return new S3Driver(owned, {
    bucket: o.bucket,
    keys: new KeyMap(o.root_folder_path, o.placeholder || '.placeholder'),
    listVersion: o.list_object_version === 'v1' ? 'v1' : 'v2',
    maxConnections,
    signUrlExpireSeconds: Math.max(1, Math.round(o.sign_url_expire * 3600)),
    customHost: o.custom_host,
  });
}

export const s3Driver = defineDriver({
  ...s3Meta,
  create: (options, ctx) => createS3Driver(options, ctx),
});
