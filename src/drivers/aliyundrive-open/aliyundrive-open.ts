import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { FsError, isFsError } from '../../core/errors.js';
import { defineDriver } from '../define-driver.js';
import { countBody, uploadFailure } from '../shared/byte-counter.js';
import { OAuthDriver, oauthApi } from '../shared/oauth-api.js';
import type { TokenManager } from '../shared/oauth/index.js';
import { baseName, checkTransfer, ifFound, mustExist, parentOf } from '../shared/rel-path.js';
import type { RestCall, RestClient } from '../shared/rest.js';
import type { Driver, DriverContext, Entry, Link, Quota, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { apiError, tokenRefused } from './aliyundrive-open.errors.js';
import { aliyundriveOpenOptions, type AliyundriveOpenOptions } from './options.js';
import { aliyundriveOpenMeta } from './meta.js';
import { sendParts } from './upload.js';
import { aliCreate, aliDownload, aliDriveInfo, aliFile, aliList, aliMove, aliSpace, entryOf, type AliFile } from './wire.js';

const LINK_CACHE_MS = 60_000;
const PAGE = 100;

/** The AliyundriveOpen driver: AliyunDrive (alipan) through its Open API. See docs/drivers/aliyundrive-open.md. */
export class AliyundriveOpenDriver extends OAuthDriver implements Driver {
  private driveId = '';
  private rootPrefix = '';
  private readonly links = new Map<string, { url: string; expiresAt: number; cachedAt: number }>();

  constructor(
    private readonly o: AliyundriveOpenOptions,
    private readonly api: RestClient,
    tokens: TokenManager,
    private readonly ctx: DriverContext,
  ) {
    super(tokens);
  }

  async init(signal: AbortSignal): Promise<void> {
    await this.tokens.start();
    const info = await this.api.post('/adrive/v1.0/user/getDriveInfo', {}, aliDriveInfo, { op: 'init', rel: '', signal, idempotent: true });
    const byType: Record<string, string | undefined> = { default: info.default_drive_id, resource: info.resource_drive_id, backup: info.backup_drive_id };
    this.driveId = byType[this.o.drive_type] || info.default_drive_id;
    this.rootPrefix = await this.rootPath(signal);
    this.ctx.logger.info({ driveId: this.driveId, token: this.tokens.status().route }, 'AliyundriveOpen ready');
  }

  async stat(path: string): Promise<Entry> {
    return entryOf(await this.must(path, 'stat'), baseName(path));
  }

  async *list(dir: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const folder = await this.must(dir, 'list');
    if (folder.type !== 'folder') throw new FsError('not_a_directory', `list "/${dir}": not a folder`);
    let marker = '';
    do {
      const page = await this.api.post(
        '/adrive/v1.0/openFile/list',
        { drive_id: this.driveId, parent_file_id: folder.file_id, limit: PAGE, marker, order_by: this.o.order_by, order_direction: this.o.order_direction },
        aliList,
        { op: 'list', rel: dir, signal: options.signal, idempotent: true },
      );
      for (const f of page.items) yield entryOf(f);
      marker = page.next_marker;
    } while (marker !== '');
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const f = await this.must(path, 'read');
    if (f.type === 'folder') throw new FsError('is_a_directory', `read "/${path}": is a folder`);
    const o = { size: f.size ?? 0, range: options.range, signal: options.signal, rel: path };
    try {
      return await this.api.download((await this.downloadUrl(f, path)).url, o);
    } catch (err) {
      if (!isFsError(err, 'permission_denied')) throw err;
      this.links.delete(f.file_id); // the link expired early (403): ask for a new one
      return this.api.download((await this.downloadUrl(f, path)).url, o);
    }
  }

  async link(path: string): Promise<Link> {
    const f = await this.must(path, 'link');
    if (f.type === 'folder') throw new FsError('is_a_directory', `link "/${path}": is a folder`);
    const l = await this.downloadUrl(f, path);
    return { url: l.url, expiresAt: new Date(l.expiresAt) };
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    if (path === '') throw new FsError('is_a_directory', 'write "/": the storage root is a folder');
    const existing = await this.find(path, 'write');
    if (existing?.type === 'folder') throw new FsError('is_a_directory', `write "/${path}": a folder exists at this path`);
    const parentId = await this.ensureFolder(parentOf(path));
    const counted = countBody(body, options.size, path);
    const counter = counted.stream;
    let fileId: string | undefined;
    try {
      const created = await this.createFile(parentId, path, existing, options);
      fileId = created.file.file_id;
      const urls = new Map(created.file.part_info_list.map((x) => [x.part_number, x.upload_url]));
      await sendParts({ api: this.api, driveId: this.driveId, fileId, uploadId: created.file.upload_id ?? '', partSize: this.partSize(), urls, rel: path, signal: options.signal }, counter);
      if (options.signal?.aborted) throw new FsError('aborted', `write "/${path}": aborted`);
      const done = await this.call('/adrive/v1.0/openFile/complete', { file_id: fileId, upload_id: created.file.upload_id }, aliFile, { op: 'write', rel: path });
      fileId = undefined;
      // The new file is complete and visible: now the one it replaces goes.
      if (created.replaces) await this.removeId(created.replaces, path).catch((err: unknown) => this.ctx.logger.warn({ err, path }, 'AliyundriveOpen: could not remove the replaced file'));
      return entryOf(done, baseName(path));
    } catch (err) {
      counter.destroy();
      if (fileId) await this.call('/adrive/v1.0/openFile/delete', { file_id: fileId }, aliMove, { op: 'write', rel: path }).catch(() => undefined);
      throw uploadFailure(err, { signal: options.signal, bodyError: counted.clientError(), rel: path }) ?? err;
    }
  }

  /**
   * Starts an upload. A new name is created with check_name_mode "refuse", so a file that
   * appeared meanwhile is noticed; replacing uses "ignore" (a second file of the same name, invisible
   * until complete) and the old one is removed after complete: readers see old or new, never half.
   */
  private async createFile(parentId: string, path: string, existing: AliFile | undefined, options: WriteOptions) {
    const size = options.size;
    const parts = size === undefined ? 1 : Math.ceil(size / this.partSize());
    const body = {
      parent_file_id: parentId,
      name: baseName(path),
      type: 'file',
      part_info_list: Array.from({ length: parts }, (_, i) => ({ part_number: i + 1 })),
      ...(size !== undefined ? { size } : {}),
      ...(options.mtime ? { local_modified_at: options.mtime.toISOString() } : {}),
    };
    const c: RestCall = { op: 'write', rel: path, signal: options.signal };
    if (!existing) {
      const file = await this.call('/adrive/v1.0/openFile/create', { ...body, check_name_mode: 'refuse' }, aliCreate, c);
      if (!file.exist) return { file };
      if (file.type === 'folder') throw new FsError('is_a_directory', `write "/${path}": a folder exists at this path`);
      existing = file;
    }
    const file = await this.call('/adrive/v1.0/openFile/create', { ...body, check_name_mode: 'ignore' }, aliCreate, c);
    return { file, replaces: existing.file_id };
  }

  async mkdir(path: string): Promise<void> {
    const found = await this.find(path, 'mkdir');
    if (found?.type === 'folder') return;
    if (found) throw new FsError('already_exists', `mkdir "/${path}": a file exists at this path`);
    await this.ensureFolder(path);
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    if (path === '') throw new FsError('permission_denied', 'remove "/": the storage root cannot be removed');
    const f = await this.must(path, 'remove');
    if (f.type === 'folder' && !options.recursive) {
      const page = await this.call('/adrive/v1.0/openFile/list', { parent_file_id: f.file_id, limit: 1 }, aliList, { op: 'remove', rel: path, idempotent: true });
      if (page.items.length > 0) throw new FsError('directory_not_empty', `remove "/${path}": folder is not empty`);
    }
    await this.removeId(f.file_id, path);
  }

  async move(from: string, to: string): Promise<void> {
    const { src, parentId } = await this.prepareTransfer('move', from, to);
    const name = baseName(to);
    const c: RestCall = { op: 'move', rel: from };
    if (parentId === src.parent_file_id) {
      await this.call('/adrive/v1.0/openFile/update', { file_id: src.file_id, name, check_name_mode: 'refuse' }, aliFile, c);
      return;
    }
    const renamed = name !== baseName(from);
    // A name clash in the source folder must not stop a move: carry a unique name across, then rename.
    if (renamed) await this.call('/adrive/v1.0/openFile/update', { file_id: src.file_id, name: `.filebridge-move-${randomUUID()}`, check_name_mode: 'refuse' }, aliFile, c);
    const moved = await this.call('/adrive/v1.0/openFile/move', { file_id: src.file_id, to_parent_file_id: parentId, check_name_mode: 'refuse' }, aliMove, c);
    if (moved.exist) throw new FsError('already_exists', `move "/${from}": "/${to}" already exists`);
    if (renamed) await this.call('/adrive/v1.0/openFile/update', { file_id: src.file_id, name, check_name_mode: 'refuse' }, aliFile, c);
  }

  async copy(from: string, to: string): Promise<void> {
    const { src, parentId } = await this.prepareTransfer('copy', from, to);
    const c: RestCall = { op: 'copy', rel: from };
    const copied = await this.call('/adrive/v1.0/openFile/copy', { file_id: src.file_id, to_parent_file_id: parentId, auto_rename: true }, aliMove, c);
    try {
      await this.call('/adrive/v1.0/openFile/update', { file_id: copied.file_id, name: baseName(to), check_name_mode: 'refuse' }, aliFile, c);
    } catch (err) {
      await this.call('/adrive/v1.0/openFile/delete', { file_id: copied.file_id }, aliMove, c).catch(() => undefined);
      throw err;
    }
  }

  async about(): Promise<Quota> {
    const s = await this.api.post('/adrive/v1.0/user/getSpaceInfo', {}, aliSpace, { op: 'about', rel: '', idempotent: true });
    const { used_size: used, total_size: total } = s.personal_space_info;
    return { total, used, free: Math.max(0, total - used) };
  }

  private async prepareTransfer(op: 'move' | 'copy', from: string, to: string): Promise<{ src: AliFile; parentId: string }> {
    checkTransfer(op, from, to);
    const src = await this.must(from, op);
    if (await this.find(to, op)) throw new FsError('already_exists', `${op} "/${from}": "/${to}" already exists`);
    return { src, parentId: await this.ensureFolder(parentOf(to)) };
  }

  private async removeId(fileId: string, rel: string): Promise<void> {
    const path = this.o.remove_way === 'delete' ? '/adrive/v1.0/openFile/delete' : '/adrive/v1.0/openFile/recyclebin/trash';
    await this.call(path, { file_id: fileId }, aliMove, { op: 'remove', rel });
  }

  /** The folder's file_id, creating missing folders (create type folder, check_name_mode refuse: an existing one is reused). */
  private async ensureFolder(path: string): Promise<string> {
    if (path === '') return this.o.root_folder_id;
    const found = await this.find(path, 'mkdir');
    if (found?.type === 'folder') return found.file_id;
    if (found) throw new FsError('not_a_directory', `"/${path}" is a file, not a folder`);
    const parentId = await this.ensureFolder(parentOf(path));
    const made = await this.call('/adrive/v1.0/openFile/create', { parent_file_id: parentId, name: baseName(path), type: 'folder', check_name_mode: 'refuse' }, aliCreate, { op: 'mkdir', rel: path });
    if (made.type !== 'folder') throw new FsError('already_exists', `mkdir "/${path}": a file exists at this path`);
    return made.file_id;
  }

  /** A download URL for the file, reused for a minute (never past its expiry). */
  private async downloadUrl(f: AliFile, rel: string): Promise<{ url: string; expiresAt: number }> {
    const now = Date.now();
    const hit = this.links.get(f.file_id);
    if (hit && now - hit.cachedAt < LINK_CACHE_MS && hit.expiresAt - now > 30_000) return hit;
    const d = await this.call('/adrive/v1.0/openFile/getDownloadUrl', { file_id: f.file_id, expire_sec: 14_400 }, aliDownload, { op: 'read', rel, idempotent: true });
    const expiresAt = d.expiration ? Date.parse(d.expiration) : now + 900_000;
    const entry = { url: d.url, expiresAt: Number.isNaN(expiresAt) ? now + 900_000 : expiresAt, cachedAt: now };
    for (const [k, v] of this.links) if (now - v.cachedAt >= LINK_CACHE_MS) this.links.delete(k);
    this.links.set(f.file_id, entry);
    return entry;
  }

  private async must(path: string, op: string): Promise<AliFile> {
    return mustExist(await this.find(path, op), op, path);
  }

  /** get_by_path below the root folder; undefined when nothing is there. */
  private async find(path: string, op: string): Promise<AliFile | undefined> {
    if (path === '') return { file_id: this.o.root_folder_id, type: 'folder', name: '' };
    return ifFound(this.call('/adrive/v1.0/openFile/get_by_path', { file_path: `${this.rootPrefix}/${path}` }, aliFile, { op, rel: path, idempotent: true }));
  }

  /** The drive path of root_folder_id ("" for the drive root), from its parents. */
  private async rootPath(signal: AbortSignal): Promise<string> {
    const names: string[] = [];
    for (let id = this.o.root_folder_id; id !== 'root' && names.length < 64; ) {
      const f = await this.api.post('/adrive/v1.0/openFile/get', { drive_id: this.driveId, file_id: id }, aliFile, { op: 'init', rel: '', signal, idempotent: true });
      if (f.type !== 'folder') throw new FsError('not_a_directory', `init: root_folder_id ${this.o.root_folder_id} is not a folder`);
      names.unshift(f.name ?? '');
      id = f.parent_file_id ?? 'root';
    }
    return names.length ? `/${names.join('/')}` : '';
  }

  private call<S extends Parameters<RestClient['post']>[2]>(path: string, body: Record<string, unknown>, schema: S, c: RestCall) {
    return this.api.post(path, { drive_id: this.driveId, ...body }, schema, c);
  }

  private partSize(): number {
    return Math.max(64 * 1024, Math.floor(this.o.upload_part_size));
  }
}

/** Own client first when set, the online helper when enabled. */
export function createAliyundriveOpen(o: AliyundriveOpenOptions, ctx: DriverContext): AliyundriveOpenDriver {
  const own = o.client_id !== '' && o.client_secret !== '';
  const { api, tokens } = oauthApi(o, ctx, {
    baseUrl: o.api_base_url,
    mapError: apiError,
    tokenRefused,
    oauth: own ? { url: `${(o.oauth_base_url || o.api_base_url).replace(/\/+$/, '')}/oauth/access_token`, clientId: o.client_id, clientSecret: o.client_secret, encoding: 'json' } : undefined,
    online: o.use_online_api && o.oauth_token_url !== '' ? { url: o.oauth_token_url, style: 'post' } : undefined,
    noRoute: 'AliyundriveOpen: set client_id and client_secret, or turn on use_online_api',
  });
  return new AliyundriveOpenDriver(o, api, tokens, ctx);
}

export const aliyundriveOpenDriver = defineDriver({
  ...aliyundriveOpenMeta,
  create: (options, ctx) => createAliyundriveOpen(options, ctx),
});
