import { constants as fsc, type Stats } from 'node:fs';
import { type FileHandle, lstat, lutimes, mkdir, open, rm, rmdir, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import { FsError } from '../../core/errors.js';
import { wantedSpan } from '../shared/range.js';
import { defineDriver } from '../define-driver.js';
import type { Driver, DriverContext, Entry, Quota, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { cleanTempDir, openTempDir, renameIntoPlace, streamToTemp, TempFolder, tempName, writeBufferToTemp } from './atomic-write.js';
import { isSmallBody, readSmallBody } from '../../core/small-body.js';
import { errnoOf, isInside, type Place, RootGuard } from './containment.js';
import { Handles, type Held } from './handles.js';
import { copyHeld, removeTree } from './tree.js';
import { fsCall, localError } from './local.errors.js';
import { listFolder, toEntry } from './list.js';
import { BufferPool, FileStream } from './file-stream.js';

/**
 * Bytes per read from disk. Measured with bench/lib/wrk (GET of a 256 MiB file, 4 connections,
 * 6 rounds ABBA): 256 KiB 907 MB/s, 512 KiB 1208, 1 MiB 1111, 2 MiB 1079; fs's default 64 KiB far
 * less (a trip through the thread pool per 64 KiB).
 */
const READ_CHUNK = 512 * 1024;

const localOptions = {
  root_folder_path: {
    type: 'string',
    label: 'Root folder path',
    help: 'Folder on this machine served as the storage root (resolved against the working directory when relative).',
    required: true,
  },
  show_hidden: {
    type: 'bool',
    label: 'Show hidden files',
    help: 'List names starting with a dot.',
    default: true,
  },
  mkdir_perm: {
    type: 'string',
    label: 'Folder permissions',
    help: 'Octal mode for new folders, before the process umask.',
    default: '777',
    advanced: true,
  },
} as const;

export interface LocalSettings {
  root: string;
  showHidden: boolean;
  /** Mode of created folders. */
  dirMode: number;
  logger: Logger;
}

/** Parses an octal permission string such as "755" or "0775". */
export function parsePerm(value: string): number {
  if (!/^[0-7]{3,4}$/.test(value)) {
    throw new FsError('invalid_input', `mkdir_perm must be an octal mode such as 755, not "${value}"`);
  }
  return parseInt(value, 8);
}

function baseOf(rel: string): string {
  return rel === '' ? '' : rel.slice(rel.lastIndexOf('/') + 1);
}

/** The Local driver: a folder on this machine. See docs/drivers/local.md. */
export class LocalDriver implements Driver {
  private readonly guard: RootGuard;
  /** Read buffers reused by downloads (READ_CHUNK each; at most 8, 4 MiB, kept between them). */
  private readonly buffers = new BufferPool(READ_CHUNK, 8);
  /** Where uploads are staged (the temp folder, held across them). */
  private readonly temp: TempFolder;

  constructor(private readonly settings: LocalSettings) {
    this.guard = new RootGuard(settings.root);
    this.temp = new TempFolder(() => this.guard.realRoot());
  }

  async init(signal: AbortSignal): Promise<void> {
    const root = await this.guard.realRoot();
    if (signal.aborted) throw new FsError('aborted', 'initialisation aborted');
    const bag = new Handles();
    try {
      const removed = await cleanTempDir(root);
      if (removed > 0) this.settings.logger.info({ removed }, 'removed leftovers of interrupted uploads');
      await openTempDir(root, 'init', '', bag);
    } catch (err) {
      // A read-only root still serves reads; writes will report the error themselves.
      this.settings.logger.warn({ err: localError(err, 'init', '').message }, 'cannot prepare the upload temp folder');
    } finally {
      bag.close();
    }
  }

  async close(): Promise<void> {
    this.temp.close();
  }

  async stat(rel: string): Promise<Entry> {
    const bag = new Handles();
    try {
      const h = await this.guard.open(rel, 'stat', bag, { stat: true });
      return toEntry(baseOf(rel), await fsCall('stat', rel, () => h.stat()));
    } finally {
      bag.close();
    }
  }

  async *list(rel: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const bag = new Handles();
    try {
      const dir = await this.guard.open(rel, 'list', bag, { stat: true });
      const st = await fsCall('list', rel, () => dir.stat());
      if (!st.isDirectory()) throw new FsError('not_a_directory', `list "/${rel}": not a folder`);
      const isRoot = dir.real === (await this.guard.realRoot());
      yield* listFolder({ guard: this.guard, dir, isRoot, rel, showHidden: this.settings.showHidden, signal: options.signal });
    } finally {
      bag.close();
    }
  }

  async read(rel: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { signal, range } = options;
    if (signal?.aborted) throw new FsError('aborted', `read "/${rel}": aborted`);
    const bag = new Handles();
    let handle: FileHandle;
    let st: Stats;
    try {
      // The O_PATH descriptor opens nothing (no FIFO or device open runs); its checked inode is
      // then reopened for reading through /proc/self/fd, which no rename can redirect.
      const h = await this.guard.open(rel, 'read', bag, { stat: true });
      st = await fsCall('read', rel, () => h.stat());
      if (st.isDirectory()) throw new FsError('is_a_directory', `read "/${rel}": is a folder`);
      if (!st.isFile()) throw new FsError('not_supported', `read "/${rel}": not a regular file`);
      handle = await fsCall('read', rel, () => open(h.path, fsc.O_RDONLY | fsc.O_NOCTTY));
    } finally {
      bag.close();
    }
    try {
      const honoured = range === undefined ? undefined : wantedSpan(range, st.size, `read "/${rel}"`);
      // Large reads (far fewer trips through the thread pool than fs's 64 KiB), into reused
      // buffers when piped to a response (no garbage per chunk): see FileStream.
      const span = honoured ?? { start: 0, end: st.size - 1 };
      const stream: Readable = new FileStream({ handle, ...span, pool: this.buffers });
      if (signal) addAbortSignal(signal, stream);
      return honoured ? { stream, size: st.size, range: honoured } : { stream, size: st.size };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw localError(err, 'read', rel);
    }
  }

  async write(rel: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    if (rel === '') throw new FsError('is_a_directory', 'write "/": the storage root is a folder');
    this.guard.segments(rel);
    // A small body is received whole first: then one write call, and a client that breaks off
    // leaves no trace on disk at all.
    const data = isSmallBody(options.size) ? await readSmallBody(body, options.size, rel, options.signal) : undefined;
    const bag = new Handles();
    try {
      return data ? await this.writeSmall(rel, data, options, bag) : await this.writeStreamed(rel, body, options, bag);
    } finally {
      bag.close();
    }
  }

  /**
   * A body already in memory: its temp file is written while the target is resolved (neither
   * needs the other, and each is a few file system calls), then renamed into place.
   */
  private async writeSmall(rel: string, data: Buffer, options: WriteOptions, bag: Handles): Promise<Entry> {
    const created = this.temp.create(rel);
    const temp = created.then(async ({ tmp, fd }) => ({ tmp, written: await writeBufferToTemp(data, fd, tmp, options.mtime, rel) }));
    const [made, target] = await Promise.allSettled([temp, this.writableTarget(rel, bag)]);
    const lease = await created.catch(() => undefined);
    try {
      // A temp file that failed is already gone.
      if (made.status === 'rejected') throw localError(made.reason, 'write', rel);
      const { tmp, written } = made.value;
      try {
        if (target.status === 'rejected') throw target.reason;
        if (options.signal?.aborted) throw new FsError('aborted', `write "/${rel}": aborted`);
        await renameIntoPlace(tmp, target.value);
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => undefined);
        throw localError(err, 'write', rel);
      }
      // rename keeps size and times: what the temp file had is what the target has.
      const entry: Entry = { name: baseOf(rel), isDir: false, size: written.size, mtime: written.mtime };
      if (written.birthtime) entry.ctime = written.birthtime;
      return entry;
    } finally {
      lease?.release();
    }
  }

  /** A streamed body: into a temp file first, with back-pressure; the target is resolved after. */
  private async writeStreamed(rel: string, body: Readable, options: WriteOptions, bag: Handles): Promise<Entry> {
    const { tmp, fd, release } = await this.temp.create(rel);
    try {
      await streamToTemp(body, fd, tmp, { size: options.size, signal: options.signal, rel });
    } catch (err) {
      release();
      throw err;
    }
    try {
      if (options.mtime) await lutimes(tmp, options.mtime, options.mtime);
      // Resolved once, after the body is safe in the temp folder: that is the check that counts,
      // since the tree may change while a body streams.
      const target = await this.writableTarget(rel, bag);
      if (options.signal?.aborted) throw new FsError('aborted', `write "/${rel}": aborted`);
      await renameIntoPlace(tmp, target);
      return toEntry(baseOf(rel), await lstat(target));
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw localError(err, 'write', rel);
    } finally {
      release();
    }
  }

  async mkdir(rel: string): Promise<void> {
    const bag = new Handles();
    try {
      // Tried first, looked at only when something is there: one lookup fewer on the common path.
      const place = await this.guard.place(rel, 'mkdir', bag, { look: false });
      if (place.existing?.isDirectory()) return;
      const dir = await this.guard.ensure(place, this.settings.dirMode, rel, 'mkdir', bag);
      try {
        await mkdir(dir.at(place.name), { mode: this.settings.dirMode });
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw localError(err, 'mkdir', rel);
        const now = await this.guard.place(rel, 'mkdir', bag);
        if (now.existing?.isDirectory()) return;
        throw new FsError('already_exists', `mkdir "/${rel}": a file exists at this path`);
      }
    } finally {
      bag.close();
    }
  }

  async remove(rel: string, options: RemoveOptions = {}): Promise<void> {
    const bag = new Handles();
    try {
      const e = await this.guard.entry(rel, 'remove', bag);
      const target = e.dir.at(e.name);
      const st = await fsCall('remove', rel, () => lstat(target));
      await fsCall('remove', rel, async () => {
        if (!st.isDirectory()) await unlink(target);
        else if (options.recursive) await removeTree(target);
        else await rmdir(target);
      });
    } finally {
      bag.close();
    }
  }

  async move(from: string, to: string): Promise<void> {
    const bag = new Handles();
    try {
      const src = await this.guard.entry(from, 'move', bag);
      const st = await fsCall('move', from, () => lstat(src.dir.at(src.name)));
      const dst = await this.freshTarget(to, 'move', bag);
      if (st.isDirectory() && isInside(dst.real, src.real)) {
        throw new FsError('invalid_path', `move "/${from}": cannot move a folder into itself`);
      }
      const dir = await this.guard.ensure(dst, this.settings.dirMode, to, 'move', bag);
      await fsCall('move', from, () => renameIntoPlace(src.dir.at(src.name), dir.at(dst.name)));
    } finally {
      bag.close();
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const bag = new Handles();
    try {
      const src = await this.guard.open(from, 'copy', bag, { stat: true });
      const st = await fsCall('copy', from, () => src.stat());
      const dst = await this.freshTarget(to, 'copy', bag);
      if (st.isDirectory() && isInside(dst.real, src.real)) {
        throw new FsError('invalid_path', `copy "/${from}": cannot copy a folder into itself`);
      }
      const dir = await this.guard.ensure(dst, this.settings.dirMode, to, 'copy', bag);
      await this.copyInto(src, st, dir.at(dst.name), { rel: from, bag });
    } finally {
      bag.close();
    }
  }

  async about(): Promise<Quota> {
    const root = await this.guard.realRoot();
    const s = await fsCall('about', '', () => statfs(root));
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize, used: (s.blocks - s.bfree) * s.bsize };
  }

  /** Resolves a write target, fails early when it names a folder, and makes missing parents. */
  private async writableTarget(rel: string, bag: Handles): Promise<string> {
    const place = await this.guard.place(rel, 'write', bag);
    if (place.existing?.isDirectory()) throw new FsError('is_a_directory', `write "/${rel}": a folder exists at this path`);
    const dir = await this.guard.ensure(place, this.settings.dirMode, rel, 'write', bag);
    return dir.at(place.name);
  }

  private async freshTarget(rel: string, op: string, bag: Handles): Promise<Place> {
    const place = await this.guard.place(rel, op, bag);
    if (place.existing) throw new FsError('already_exists', `${op} "/${rel}": destination already exists`);
    return place;
  }

  /**
   * Copies a held file or folder into a temp path inside the root, then renames it into place, so
   * a half-made copy is never visible. Timestamps are preserved; symlinks are copied as links.
   */
  private async copyInto(src: Held, st: Stats, target: string, what: { rel: string; bag: Handles }): Promise<void> {
    const root = await this.guard.realRoot();
    const tmp = (await openTempDir(root, 'copy', what.rel, what.bag)).at(tempName());
    try {
      await copyHeld(src, st, tmp);
      await renameIntoPlace(tmp, target);
    } catch (err) {
      await removeTree(tmp).catch(() => undefined);
      throw localError(err, 'copy', what.rel);
    }
  }
}

export const localDriver = defineDriver({
  id: 'Local',
  label: 'Local',
  description: 'A folder on the machine running Filebridge.',
  options: localOptions,
  facts: {
    caseSensitive: true,
    emptyDirs: true,
    mtimePrecisionMs: 1,
    setsMtime: true,
    hashes: [],
    unknownSizeWrites: true,
    proxyOnly: true,
  },
  create(options, ctx: DriverContext): Driver {
    return new LocalDriver({
      root: path.resolve(options.root_folder_path),
      showHidden: options.show_hidden,
      dirMode: parsePerm(options.mkdir_perm),
      logger: ctx.logger.child({ driver: 'Local' }),
    });
  },
});
