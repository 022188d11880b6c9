import { type Readable, type Transform } from 'node:stream';
import { FsError, isFsError } from '../../core/errors.js';
import type { Driver, DriverContext, Entry, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { defineDriver } from '../define-driver.js';
import { byteCounter } from '../shared/byte-counter.js';
import { wantedSpan } from '../shared/range.js';
import { baseName, checkTransfer } from '../shared/rel-path.js';
import { decryptedSize, encryptedSize, encryptStream } from './content.js';
import { NAME_ENCODINGS, type NameEncodingId } from './encodings.js';
import { clearSecret, deriveKeys, type CryptKeys } from './keys.js';
import { cryptMeta } from './meta.js';
import { NameCipher, type NameMode } from './names.js';
import type { CryptOptions } from './options.js';
import { readPlain } from './read.js';
import { RemotePaths } from './remote-paths.js';

/** OpenList's rule for the suffix (drivers/crypt/driver.go), plus rclone's "none". */
const SUFFIX = /^[.][A-Za-z0-9_-]{2,}$/;

interface Ready {
  keys: CryptKeys;
  names: NameCipher;
  paths: RemotePaths;
}

/** What is stored at a plain path: the tree entry and its tree path, as a file or as a folder. */
type Found = { kind: 'file' | 'dir'; remote: string; entry: Entry };

/** Pipes `body` through `steps`, each failure failing the next, so the consumer of the last one sees it. */
function chain(body: Readable, ...steps: Transform[]): Transform {
  let from: Readable = body;
  for (const step of steps) {
    from.once('error', (err: Error) => step.destroy(err));
    from.pipe(step);
    from = step;
  }
  return from as Transform;
}

/**
 * Crypt: the files of a folder of the tree (`remote_path`, any storage) encrypted in rclone
 * crypt's format, byte for byte, so rclone reads what this writes and the other way round. See
 * docs/drivers/crypt.md.
 */
export class CryptDriver implements Driver {
  private state: Ready | undefined;

  constructor(
    private readonly o: CryptOptions,
    private readonly ctx: DriverContext,
  ) {}

  /** Derives the keys (scrypt, off the event loop); touches no storage, so it never waits on the remote's mount. */
  async init(): Promise<void> {
    const suffix = this.o.encrypted_suffix.toLowerCase() === 'none' ? '' : this.o.encrypted_suffix;
    if (suffix !== '' && !SUFFIX.test(suffix)) throw new FsError('invalid_input', `encrypted_suffix "${this.o.encrypted_suffix}": must be a dot and at least two letters, digits, "-" or "_" (or "none")`);
    const keys = await deriveKeys(clearSecret('password', this.o.password), clearSecret('salt', this.o.salt));
    const names = new NameCipher(keys, {
      mode: this.o.filename_encryption as NameMode,
      dirNames: this.o.directory_name_encryption === 'true',
      encoding: NAME_ENCODINGS[this.o.filename_encoding as NameEncodingId],
      suffix,
    });
    this.state = { keys, names, paths: new RemotePaths(this.o.remote_path, names) };
  }

  private get s(): Ready {
    if (!this.state) throw new FsError('storage_unavailable', 'crypt: not initialised yet', { retryable: true });
    return this.state;
  }

  async stat(path: string): Promise<Entry> {
    if (path === '') {
      const top = await this.ctx.tree.stat(this.s.paths.top());
      if (!top.isDir) throw new FsError('not_a_directory', `crypt: remote_path ${this.s.paths.top()} is not a folder`);
      return { name: '', isDir: true, size: 0, mtime: top.mtime };
    }
    const found = await this.find(path);
    if (!found) throw new FsError('not_found', `stat "/${path}": no such file or folder`);
    return this.plainEntry(baseName(path), found);
  }

  async *list(dir: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const { names } = this.s;
    let stored: Entry[];
    try {
      stored = await this.ctx.tree.list(this.s.paths.dir(dir), options);
    } catch (err) {
      if (dir !== '' && isFsError(err, 'not_found') && (await this.probe(this.s.paths.file(dir)))?.isDir === false) {
        throw new FsError('not_a_directory', `list "/${dir}": not a folder`);
      }
      throw err;
    }
    for (const e of stored) {
      const name = e.isDir ? names.decryptDir(e.name) : names.decryptFile(e.name);
      const size = e.isDir ? 0 : decryptedSize(e.size);
      if (name === undefined || size === undefined) {
        this.ctx.logger.debug({ dir, name: e.name }, 'crypt: skipping an entry that does not decrypt');
        continue;
      }
      if (!this.o.show_hidden && name.startsWith('.')) continue;
      yield { name, isDir: e.isDir, size, mtime: e.mtime, ctime: e.ctime };
    }
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const where = `read "/${path}"`;
    const found = path === '' ? { kind: 'dir' as const } : await this.find(path);
    if (!found) throw new FsError('not_found', `${where}: no such file`);
    if (found.kind === 'dir') throw new FsError('is_a_directory', `${where}: is a folder`);
    const plainSize = decryptedSize(found.entry.size);
    if (plainSize === undefined) throw new FsError('upstream_error', `${where}: the stored file's size (${found.entry.size} bytes) is not that of an encrypted file`);
    const span = options.range ? wantedSpan(options.range, plainSize, where) : undefined;
    return readPlain({ tree: this.ctx.tree, remote: found.remote, storedSize: found.entry.size, plainSize, span, dataKey: this.s.keys.dataKey, signal: options.signal, where });
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    const { paths, keys } = this.s;
    if (path === '') throw new FsError('is_a_directory', 'write "/": is the storage root');
    if ((await this.probe(paths.dir(path)))?.isDir) throw new FsError('is_a_directory', `write "/${path}": is a folder`);
    const counter = byteCounter(options.size, path);
    // A wrong size is the client's, in plain bytes: reported as such whatever the remote makes of the failed body.
    let sizeError: FsError | undefined;
    counter.once('error', (err) => {
      if (isFsError(err, 'invalid_input')) sizeError = err;
    });
    const sealed = chain(body, counter, encryptStream(keys.dataKey));
    const size = options.size === undefined ? undefined : encryptedSize(options.size);
    const e = await this.ctx.tree.write(paths.file(path), sealed, { size, mtime: options.mtime, signal: options.signal }).catch((err: unknown) => {
      throw sizeError ?? err;
    });
    return { name: baseName(path), isDir: false, size: decryptedSize(e.size) ?? options.size ?? 0, mtime: e.mtime };
  }

  async mkdir(path: string): Promise<void> {
    const { paths } = this.s;
    if (path !== '' && (await this.probe(paths.file(path)))?.isDir === false) throw new FsError('already_exists', `mkdir "/${path}": a file is there`);
    await this.ctx.tree.mkdir(paths.dir(path));
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    if (path === '') throw new FsError('invalid_path', 'remove "/": cannot remove the storage root');
    const found = await this.find(path);
    if (!found) throw new FsError('not_found', `remove "/${path}": no such file or folder`);
    await this.ctx.tree.remove(found.remote, { recursive: found.kind === 'dir' && options.recursive === true });
  }

  async move(from: string, to: string): Promise<void> {
    checkTransfer('move', from, to);
    const found = await this.find(from);
    if (!found) throw new FsError('not_found', `move "/${from}": no such file or folder`);
    if (await this.find(to)) throw new FsError('already_exists', `move "/${from}": "/${to}" already exists`);
    await this.ctx.tree.move(found.remote, found.kind === 'dir' ? this.s.paths.dir(to) : this.s.paths.file(to));
  }

  /** The tree entry at `remote`, or undefined when nothing is there. */
  private async probe(remote: string): Promise<Entry | undefined> {
    try {
      return await this.ctx.tree.stat(remote);
    } catch (err) {
      if (isFsError(err, 'not_found') || isFsError(err, 'not_a_directory')) return undefined;
      throw err;
    }
  }

  /** What is stored for `path`: the file's encrypted name is looked up first, then the folder's. */
  private async find(path: string): Promise<Found | undefined> {
    const { paths } = this.s;
    const file = paths.file(path);
    const asFile = await this.probe(file);
    if (asFile && !asFile.isDir) return { kind: 'file', remote: file, entry: asFile };
    const dir = paths.dir(path);
    const asDir = dir === file ? asFile : await this.probe(dir);
    if (asDir?.isDir) return { kind: 'dir', remote: dir, entry: asDir };
    return undefined;
  }

  private plainEntry(name: string, found: Found): Entry {
    if (found.kind === 'dir') return { name, isDir: true, size: 0, mtime: found.entry.mtime, ctime: found.entry.ctime };
    const size = decryptedSize(found.entry.size);
    if (size === undefined) throw new FsError('not_found', `stat "/${name}": the stored file is not an encrypted file`);
    return { name, isDir: false, size, mtime: found.entry.mtime, ctime: found.entry.ctime };
  }
}

export const cryptDriver = defineDriver({
  ...cryptMeta,
  create: (options, ctx) => new CryptDriver(options, ctx),
});
