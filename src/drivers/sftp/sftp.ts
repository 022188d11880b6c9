import { posix } from 'node:path';
import { PassThrough, addAbortSignal, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsError } from '../../core/errors.js';
import { parseAddress, normaliseRoot } from '../shared/address.js';
import { wantedSpan } from '../shared/range.js';
import { baseName } from '../shared/rel-path.js';
import { Retry } from '../shared/retry.js';
import { defineDriver } from '../define-driver.js';
import { sftpMeta } from './meta.js';
import { SessionPool } from '../shared/session-pool.js';
import type { Driver, DriverContext, Entry, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { ops, sftpSessionFactory, type SftpConnectSettings, type SftpSession } from './session.js';
import { SFTP_STATUS, sftpError, sftpStatus } from './sftp.errors.js';
import { kind, listEntries, mkdirp, removeTree, statOrUndefined, toEntry } from './tree.js';
import { uploadAtomically } from './upload.js';


/** Idle SSH connections are closed after this long. */
const IDLE_MS = 60_000;
const READY_TIMEOUT_MS = 20_000;

/** The SFTP driver: a folder on an SSH server. See docs/drivers/sftp.md. */
export class SftpDriver implements Driver {
  private readonly pool: SessionPool<SftpSession>;
  /** For reads (stat, list, a download until it starts): repeated after a retryable failure, on a fresh session when it broke. */
  private readonly retry = new Retry();

  constructor(
    connect: SftpConnectSettings,
    private readonly root: string,
    maxConnections: number,
  ) {
    this.pool = new SessionPool(sftpSessionFactory(connect), { max: Math.max(1, Math.floor(maxConnections)), idleMs: IDLE_MS, name: `SFTP ${connect.host}` });
  }

  private remote(rel: string): string {
    return rel === '' ? this.root : posix.join(this.root, rel);
  }

  async init(signal: AbortSignal): Promise<void> {
    await this.pool.use(async (s) => {
      const st = await statOrUndefined(s, this.root, 'init', '');
      if (st === undefined) throw new FsError('not_found', `root folder ${this.root} does not exist on the server`);
      if (!kind.isDir(st)) throw new FsError('not_a_directory', `root folder ${this.root} is not a folder`);
    }, signal);
  }

  connectionStats() {
    return this.pool.connectionStats();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async stat(rel: string): Promise<Entry> {
    const stat = (s: SftpSession) => ops.stat(s, this.remote(rel)).catch((err: unknown) => Promise.reject(sftpError(err, 'stat', rel)));
    return toEntry(baseName(rel), await this.retry.run(() => this.pool.use(stat)));
  }

  async *list(rel: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    yield* await this.retry.run(() => this.pool.use((s) => listEntries(s, this.remote(rel), rel), options.signal), { signal: options.signal });
  }

  async read(rel: string, options: ReadOptions = {}): Promise<ReadResult> {
    if (options.signal?.aborted) throw new FsError('aborted', `read "/${rel}": aborted`);
    return this.retry.run(() => this.open(rel, options), { signal: options.signal });
  }

  private async open(rel: string, { signal, range }: ReadOptions): Promise<ReadResult> {
    const session = await this.pool.acquire(signal);
    try {
      const st = await ops.stat(session, this.remote(rel)).catch((err: unknown) => {
        throw sftpError(err, 'read', rel);
      });
      if (kind.isDir(st)) throw new FsError('is_a_directory', `read "/${rel}": is a folder`);
      if (!kind.isFile(st)) throw new FsError('not_supported', `read "/${rel}": not a regular file`);
      const size = Number(st.size);
      const honoured = range === undefined ? undefined : wantedSpan(range, size, `read "/${rel}"`);
      const stream = this.openStream(session, rel, honoured, signal);
      return honoured ? { stream, size, range: honoured } : { stream, size };
    } catch (err) {
      this.pool.release(session);
      throw err;
    }
  }

  /**
   * ssh2's read stream piped into a plain PassThrough (ssh2's own stream never emits "close" on
   * destroy). The session goes back to the pool once the remote handle is closed: after the last
   * byte, or when the reader destroys or aborts the stream.
   */
  private openStream(session: SftpSession, rel: string, range: { start: number; end: number } | undefined, signal?: AbortSignal): Readable {
    const source = session.sftp.createReadStream(this.remote(rel), range ?? {});
    const out = new PassThrough();
    let released = false;
    const giveBack = (): void => {
      if (released) return;
      released = true;
      this.pool.release(session);
    };
    source.once('close', giveBack);
    source.once('error', giveBack);
    if (signal) addAbortSignal(signal, out);
    pipeline(source, out).catch((err: unknown) => {
      if (!out.destroyed) out.destroy(sftpError(err, 'read', rel));
      // A dead connection may never answer CLOSE; the pool destroys a broken session on release.
      if (session.broken) giveBack();
    });
    return out;
  }

  async write(rel: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    if (rel === '') throw new FsError('is_a_directory', 'write "/": the storage root is a folder');
    const remote = this.remote(rel);
    return this.pool.use(async (s) => {
      const existing = await statOrUndefined(s, remote, 'write', rel);
      if (existing && kind.isDir(existing)) throw new FsError('is_a_directory', `write "/${rel}": a folder exists at this path`);
      if (!existing) await mkdirp(s, posix.dirname(remote), this.root, rel);
      await uploadAtomically(s, remote, body, { ...options, rel, replacing: existing !== undefined });
      const st = await ops.stat(s, remote).catch((err: unknown) => {
        throw sftpError(err, 'write', rel);
      });
      return toEntry(baseName(rel), st);
    }, options.signal);
  }

  async mkdir(rel: string): Promise<void> {
    await this.pool.use((s) => mkdirp(s, this.remote(rel), this.root, rel));
  }

  async remove(rel: string, options: RemoveOptions = {}): Promise<void> {
    if (rel === '') throw new FsError('permission_denied', 'cannot remove the storage root');
    const remote = this.remote(rel);
    await this.pool.use(async (s) => {
      const st = await statOrUndefined(s, remote, 'remove', rel);
      if (st === undefined) throw new FsError('not_found', `remove "/${rel}": no such file or folder`);
      if (!kind.isDir(st)) {
        await ops.unlink(s, remote).catch((err: unknown) => {
          throw sftpError(err, 'remove', rel);
        });
      } else if (options.recursive) {
        await removeTree(s, remote, rel);
      } else {
        await ops.rmdir(s, remote).catch((err: unknown) => {
          if (sftpStatus(err) === SFTP_STATUS.FAILURE) throw new FsError('directory_not_empty', `remove "/${rel}": folder is not empty`, { cause: err });
          throw sftpError(err, 'remove', rel);
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
      if ((await statOrUndefined(s, src, 'move', from)) === undefined) throw new FsError('not_found', `move "/${from}": no such file or folder`);
      // SSH_FXP_RENAME replaces an existing target on some servers (rclone), so check first.
      if (await statOrUndefined(s, dst, 'move', to)) throw new FsError('already_exists', `move "/${to}": destination already exists`);
      try {
        await ops.rename(s, src, dst);
      } catch (err) {
        if (sftpStatus(err) !== SFTP_STATUS.NO_SUCH_FILE) throw sftpError(err, 'move', from);
        await mkdirp(s, posix.dirname(dst), this.root, to);
        await ops.rename(s, src, dst).catch((again: unknown) => {
          throw sftpError(again, 'move', from);
        });
      }
    });
  }

  async copy(from: string): Promise<void> {
    throw new FsError('not_supported', `copy "/${from}": SFTP has no server-side copy; streamed instead`);
  }
}

export const sftpDriver = defineDriver({
  ...sftpMeta,
  create(options, _ctx: DriverContext): Driver {
    const { host, port } = parseAddress(options.address, 22);
    return new SftpDriver(
      { host, port, username: options.username, password: options.password, privateKey: options.private_key, readyTimeoutMs: READY_TIMEOUT_MS },
      normaliseRoot(options.root_folder_path),
      options.max_connections,
    );
  },
});
