import { constants as fsc } from 'node:fs';
import { copyFile, cp, lstat, mkdir, open, rm, rmdir, stat, statfs, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import { FsError } from '../../core/errors.js';
import { wantedSpan } from '../shared/range.js';
import { defineDriver } from '../define-driver.js';
import type { Driver, DriverContext, Entry, Quota, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../types.js';
import { cleanTempDir, renameIntoPlace, streamToTemp, tempFileIn, type WrittenFile, writeBufferToTemp } from './atomic-write.js';
import { isSmallBody, readSmallBody } from '../../core/small-body.js';
import { isInside, RootGuard, type NewTarget } from './containment.js';
import { fsCall, localError } from './local.errors.js';
import { listFolder, toEntry } from './list.js';

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

  constructor(private readonly settings: LocalSettings) {
    this.guard = new RootGuard(settings.root);
  }

  async init(signal: AbortSignal): Promise<void> {
    const root = await this.guard.realRoot();
    if (signal.aborted) throw new FsError('aborted', 'initialisation aborted');
    try {
      const removed = await cleanTempDir(root);
      if (removed > 0) this.settings.logger.info({ removed }, 'removed leftovers of interrupted uploads');
      await tempFileIn(root, '');
    } catch (err) {
      // A read-only root still serves reads; writes will report the error themselves.
      this.settings.logger.warn({ err: localError(err, 'init', '').message }, 'cannot prepare the upload temp folder');
    }
  }

  async stat(rel: string): Promise<Entry> {
    const real = await this.guard.existing(rel, 'stat');
    return toEntry(baseOf(rel), await fsCall('stat', rel, () => stat(real)));
  }

  async *list(rel: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const dirReal = await this.guard.existing(rel, 'list');
    const st = await fsCall('list', rel, () => stat(dirReal));
    if (!st.isDirectory()) throw new FsError('not_a_directory', `list "/${rel}": not a folder`);
    yield* listFolder({ guard: this.guard, dirReal, rel, showHidden: this.settings.showHidden, signal: options.signal });
  }

  async read(rel: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { signal, range } = options;
    if (signal?.aborted) throw new FsError('aborted', `read "/${rel}": aborted`);
    const real = await this.guard.existing(rel, 'read');
    // O_NONBLOCK: opening a FIFO never blocks; the handle's own stat then decides (no race).
    const handle = await fsCall('read', rel, () => open(real, fsc.O_RDONLY | fsc.O_NONBLOCK));
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw new FsError('is_a_directory', `read "/${rel}": is a folder`);
      if (!st.isFile()) throw new FsError('not_supported', `read "/${rel}": not a regular file`);
      const honoured = range === undefined ? undefined : wantedSpan(range, st.size, `read "/${rel}"`);
      // 1 MiB reads: far fewer trips through the thread pool than the 64 KiB default on large files.
      const stream: Readable = handle.createReadStream({ ...(honoured ?? {}), highWaterMark: 1024 * 1024 });
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
    const root = await this.guard.realRoot();
    // A small body is received whole first: then one write call, and a client that breaks off
    // leaves no trace on disk at all.
    const data = isSmallBody(options.size) ? await readSmallBody(body, options.size, rel, options.signal) : undefined;
    const tmp = await tempFileIn(root, rel);
    let written: WrittenFile | undefined;
    if (data) {
      written = await writeBufferToTemp(data, tmp, options.mtime, rel);
    } else {
      await streamToTemp(body, tmp, { size: options.size, signal: options.signal, rel });
    }
    try {
      if (!data && options.mtime) await utimes(tmp, options.mtime, options.mtime);
      // Resolved once, after the body is safe in the temp folder: that is the check that counts,
      // since the tree may change while a body streams.
      const { target, parentExists } = await this.writableTarget(rel);
      if (options.signal?.aborted) throw new FsError('aborted', `write "/${rel}": aborted`);
      if (!parentExists) await mkdir(path.dirname(target), { recursive: true, mode: this.settings.dirMode });
      await renameIntoPlace(tmp, target);
      if (!written) return toEntry(baseOf(rel), await stat(target));
      // rename keeps size and times: what the temp file had is what the target has.
      const entry: Entry = { name: baseOf(rel), isDir: false, size: written.size, mtime: written.mtime };
      if (written.birthtime) entry.ctime = written.birthtime;
      return entry;
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw localError(err, 'write', rel);
    }
  }

  async mkdir(rel: string): Promise<void> {
    const t = await this.guard.creatable(rel, 'mkdir');
    if (t.existing) {
      if (t.existing.isDirectory()) return;
      throw new FsError('already_exists', `mkdir "/${rel}": a file exists at this path`);
    }
    await fsCall('mkdir', rel, () => mkdir(t.target, { recursive: true, mode: this.settings.dirMode }));
  }

  async remove(rel: string, options: RemoveOptions = {}): Promise<void> {
    const target = await this.guard.entryPath(rel, 'remove');
    const st = await fsCall('remove', rel, () => lstat(target));
    await fsCall('remove', rel, async () => {
      if (!st.isDirectory()) await unlink(target);
      else if (options.recursive) await rm(target, { recursive: true, force: false });
      else await rmdir(target);
    });
  }

  async move(from: string, to: string): Promise<void> {
    const src = await this.guard.entryPath(from, 'move');
    const st = await fsCall('move', from, () => lstat(src));
    const dst = await this.freshTarget(to, 'move');
    if (st.isDirectory() && isInside(dst.target, src)) {
      throw new FsError('invalid_path', `move "/${from}": cannot move a folder into itself`);
    }
    await fsCall('move', to, () => mkdir(path.dirname(dst.target), { recursive: true, mode: this.settings.dirMode }));
    await fsCall('move', from, () => renameIntoPlace(src, dst.target));
  }

  async copy(from: string, to: string): Promise<void> {
    const src = await this.guard.existing(from, 'copy');
    const st = await fsCall('copy', from, () => stat(src));
    const dst = await this.freshTarget(to, 'copy');
    if (st.isDirectory() && isInside(dst.target, src)) {
      throw new FsError('invalid_path', `copy "/${from}": cannot copy a folder into itself`);
    }
    await fsCall('copy', to, () => mkdir(path.dirname(dst.target), { recursive: true, mode: this.settings.dirMode }));
    await this.copyInto(src, dst.target, { rel: from, isDir: st.isDirectory() });
  }

  async about(): Promise<Quota> {
    const root = await this.guard.realRoot();
    const s = await fsCall('about', '', () => statfs(root));
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize, used: (s.blocks - s.bfree) * s.bsize };
  }

  /** Resolves a write target and fails early when it names a folder. */
  private async writableTarget(rel: string): Promise<NewTarget & { parentExists: boolean }> {
    const t = await this.guard.creatable(rel, 'write');
    if (t.existing?.isDirectory()) throw new FsError('is_a_directory', `write "/${rel}": a folder exists at this path`);
    return { ...t, parentExists: t.existing !== undefined || t.parentExists === true };
  }

  private async freshTarget(rel: string, op: string): Promise<NewTarget> {
    const t = await this.guard.creatable(rel, op);
    if (t.existing) throw new FsError('already_exists', `${op} "/${rel}": destination already exists`);
    return t;
  }

  /**
   * Copies a file or folder into a temp path inside the root, then renames it into place, so a
   * half-made copy is never visible. Timestamps are preserved; symlinks are copied as links.
   */
  private async copyInto(src: string, target: string, what: { rel: string; isDir: boolean }): Promise<void> {
    const root = await this.guard.realRoot();
    const tmp = await tempFileIn(root, what.rel);
    try {
      if (what.isDir) {
        await cp(src, tmp, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true });
      } else {
        await copyFile(src, tmp, fsc.COPYFILE_EXCL | fsc.COPYFILE_FICLONE);
        const st = await stat(src);
        await utimes(tmp, st.atime, st.mtime);
      }
      await renameIntoPlace(tmp, target);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
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
