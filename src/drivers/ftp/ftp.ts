import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { FsError } from '../../core/errors.js';
import { parseAddress, normaliseRoot } from '../shared/address.js';
import { wantedSpan } from '../shared/range.js';
import { baseName } from '../shared/rel-path.js';
import { Retry } from '../shared/retry.js';
import { defineDriver } from '../define-driver.js';
import { ftpMeta } from './meta.js';
import { SessionPool } from '../shared/session-pool.js';
import type { Driver, DriverContext, Entry, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { ftpError } from './ftp.errors.js';
import { ftpSessionFactory, mfmtTime, type FtpConnectSettings, type FtpSession, type FtpTls } from './session.js';
import { download, store } from './transfer.js';
import { checkFtpPath, listRaw, mkdirp, removeTree, statRemote, UPLOAD_TEMP_PREFIX } from './tree.js';


/** Idle control connections are closed after this long (below common server idle timeouts). */
const IDLE_MS = 20_000;
const TIMEOUT_MS = 30_000;

/** The FTP driver. See docs/drivers/ftp.md. */
export class FtpDriver implements Driver {
  private readonly pool: SessionPool<FtpSession>;
  /** For reads (stat, list, a download until it starts): repeated after a retryable failure, on a fresh session when it broke. */
  private readonly retry = new Retry();

  constructor(
    connect: FtpConnectSettings,
    private readonly root: string,
    maxConnections: number,
  ) {
    this.pool = new SessionPool(ftpSessionFactory(connect), { max: Math.max(1, Math.floor(maxConnections)), idleMs: IDLE_MS, name: `FTP ${connect.host}` });
  }

  private remote(rel: string): string {
    return checkFtpPath(rel === '' ? this.root : posix.join(this.root, rel), rel);
  }

  async init(signal: AbortSignal): Promise<void> {
    await this.pool.use(async (s) => {
      const names = this.root === '/' ? undefined : await listRaw(s, posix.dirname(this.root), '');
      if (names && !names.some((e) => e.isDir && e.name === posix.basename(this.root))) {
        throw new FsError('not_found', `root folder ${this.root} does not exist on the server`);
      }
    }, signal);
  }

  connectionStats() {
    return this.pool.connectionStats();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async found(s: FtpSession, rel: string, op: string): Promise<Entry> {
    const entry = await statRemote(s, this.remote(rel), this.root, rel);
    if (!entry) throw new FsError('not_found', `${op} "/${rel}": no such file or folder`);
    return { ...entry, name: baseName(rel) };
  }

  async stat(rel: string): Promise<Entry> {
    return this.retry.run(() => this.pool.use((s) => this.found(s, rel, 'stat')));
  }

  async *list(rel: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const listing = async (s: FtpSession): Promise<Entry[]> => {
      if (!(await this.found(s, rel, 'list')).isDir) throw new FsError('not_a_directory', `list "/${rel}": not a folder`);
      return listRaw(s, this.remote(rel), rel);
    };
    yield* await this.retry.run(() => this.pool.use(listing, options.signal), { signal: options.signal });
  }

  async read(rel: string, options: ReadOptions = {}): Promise<ReadResult> {
    if (options.signal?.aborted) throw new FsError('aborted', `read "/${rel}": aborted`);
    return this.retry.run(() => this.open(rel, options), { signal: options.signal });
  }

  private async open(rel: string, { signal, range }: ReadOptions): Promise<ReadResult> {
    const session = await this.pool.acquire(signal);
    try {
      const entry = await this.found(session, rel, 'read');
      if (entry.isDir) throw new FsError('is_a_directory', `read "/${rel}": is a folder`);
      const honoured = range === undefined ? undefined : wantedSpan(range, entry.size, `read "/${rel}"`);
      const stopsEarly = honoured !== undefined && honoured.end < entry.size - 1;
      const stream = download(this.pool, session, { remote: this.remote(rel), rel, range: honoured, stopsEarly, signal });
      return honoured ? { stream, size: entry.size, range: honoured } : { stream, size: entry.size };
    } catch (err) {
      this.pool.release(session);
      throw err;
    }
  }

  async write(rel: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    if (rel === '') throw new FsError('is_a_directory', 'write "/": the storage root is a folder');
    const remote = this.remote(rel);
    const tmp = posix.join(posix.dirname(remote), `${UPLOAD_TEMP_PREFIX}${randomUUID()}.tmp`);
    const session = await this.pool.acquire(options.signal);
    try {
      const existing = await statRemote(session, remote, this.root, rel);
      if (existing?.isDir) throw new FsError('is_a_directory', `write "/${rel}": a folder exists at this path`);
      if (!existing) await mkdirp(session, posix.dirname(remote), this.root, rel);
      try {
        await store(session, tmp, body, { size: options.size, signal: options.signal, rel });
        if (options.mtime && session.mfmt) await session.client.sendIgnoringError(`MFMT ${mfmtTime(options.mtime)} ${tmp}`);
        await this.commit(session, tmp, remote, { rel, replacing: existing !== undefined });
      } catch (err) {
        await this.removeTemp(session, tmp);
        throw err;
      }
      return await this.found(session, rel, 'write');
    } finally {
      this.pool.release(session);
    }
  }

  /** RNFR/RNTO over the target; servers that refuse to replace get the target removed first. */
  private async commit(s: FtpSession, tmp: string, remote: string, what: { rel: string; replacing: boolean }): Promise<void> {
    try {
      await s.client.rename(tmp, remote);
    } catch (err) {
      if (!what.replacing || s.client.closed) throw ftpError(err, 'write', what.rel);
      await s.client.remove(remote, true);
      await s.client.rename(tmp, remote).catch((again: unknown) => {
        throw ftpError(again, 'write', what.rel);
      });
    }
  }

  /** Best effort; a failed transfer has usually closed the session, so a fresh one may be used. */
  private async removeTemp(s: FtpSession, tmp: string): Promise<void> {
    const del = (x: FtpSession) => x.client.remove(tmp, true).then(() => undefined);
    if (!s.client.closed) await del(s).catch(() => undefined);
    else await this.pool.use(del).catch(() => undefined);
  }

  async mkdir(rel: string): Promise<void> {
    await this.pool.use((s) => mkdirp(s, this.remote(rel), this.root, rel));
  }

  async remove(rel: string, options: RemoveOptions = {}): Promise<void> {
    if (rel === '') throw new FsError('permission_denied', 'cannot remove the storage root');
    const remote = this.remote(rel);
    await this.pool.use(async (s) => {
      const entry = await this.found(s, rel, 'remove');
      if (!entry.isDir) {
        await s.client.remove(remote).catch((err: unknown) => {
          throw ftpError(err, 'remove', rel);
        });
      } else if (options.recursive) {
        await removeTree(s, remote, rel);
      } else {
        await s.client.removeEmptyDir(remote).catch(async (err: unknown) => {
          const mapped = ftpError(err, 'remove', rel);
          if (mapped.code !== 'directory_not_empty' && (await listRaw(s, remote, rel)).length > 0) {
            throw new FsError('directory_not_empty', `remove "/${rel}": folder is not empty`, { cause: err });
          }
          throw mapped;
        });
      }
    });
  }

  async move(from: string, to: string): Promise<void> {
    if (from === '') throw new FsError('permission_denied', 'cannot move the storage root');
    if (to === from || to.startsWith(`${from}/`)) throw new FsError('invalid_path', `move "/${from}": cannot move a folder into itself`);
    const src = this.remote(from);
    const dst = this.remote(to);
    await this.pool.use(async (s) => {
      await this.found(s, from, 'move');
      if (await statRemote(s, dst, this.root, to)) throw new FsError('already_exists', `move "/${to}": destination already exists`);
      await mkdirp(s, posix.dirname(dst), this.root, to);
      await s.client.rename(src, dst).catch((err: unknown) => {
        throw ftpError(err, 'move', from);
      });
    });
  }

  async copy(from: string): Promise<void> {
    throw new FsError('not_supported', `copy "/${from}": FTP has no server-side copy; streamed instead`);
  }
}

export const ftpDriver = defineDriver({
  ...ftpMeta,
  create(options, _ctx: DriverContext): Driver {
    const { host, port } = parseAddress(options.address, 21);
    const settings: FtpConnectSettings = {
      host,
      port,
      username: options.username,
      password: options.password,
      tls: options.tls as FtpTls,
      tlsInsecureSkipVerify: options.tls_insecure_skip_verify,
      timeoutMs: TIMEOUT_MS,
    };
    return new FtpDriver(settings, normaliseRoot(options.root_folder_path), options.max_connections);
  },
});
