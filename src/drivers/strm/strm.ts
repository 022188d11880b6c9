import { Readable } from 'node:stream';
import { FsError, isFsError } from '../../core/errors.js';
import type { Driver, DriverContext, Entry, ReadOptions, ReadResult } from '../../core/storage/index.js';
import { defineDriver } from '../define-driver.js';
import { wantedSpan } from '../shared/range.js';
import { baseName, parentOf } from '../shared/rel-path.js';
import { DEFAULT_DOWNLOAD_TYPES, DEFAULT_STRM_TYPES, type StrmOptions } from './options.js';
import { extOf, strmText, typeSet } from './links.js';
import { LocalMirror } from './mirror.js';
import { strmMeta } from './meta.js';
import { joinTree, Sources } from './sources.js';
import type { View } from './view.js';

interface Ready {
  sources: Sources;
  strmTypes: ReadonlySet<string>;
  downloadTypes: ReadonlySet<string>;
  minBytes: number;
  mirror?: LocalMirror;
}

const missing = (rel: string) => new FsError('not_found', `"/${rel}": no such file or folder`);

/**
 * Strm: folders of the tree (`paths`), each video or audio file shown as NAME.strm holding a
 * download URL of it (signed as /d links are), subtitles and the like shown as they are, other
 * files hidden. Read-only. See docs/drivers/strm.md.
 */
export class StrmDriver implements Driver {
  private state: Ready | undefined;

  constructor(
    private readonly o: StrmOptions,
    private readonly ctx: DriverContext,
  ) {}

  async init(): Promise<void> {
    if (this.o.SaveStrmToLocal && this.o.SaveStrmLocalPath.trim() === '') throw new FsError('invalid_input', 'SaveStrmLocalPath is required');
    const sources = new Sources(this.o.paths);
    this.state = {
      sources,
      strmTypes: typeSet(this.o.filterFileTypes, DEFAULT_STRM_TYPES),
      downloadTypes: typeSet(this.o.downloadFileTypes, DEFAULT_DOWNLOAD_TYPES),
      minBytes: Math.max(0, this.o.minFileSize) * 1024 * 1024,
      mirror: this.o.SaveStrmToLocal
        ? new LocalMirror({ root: this.o.SaveStrmLocalPath.trim(), mode: this.o.SaveLocalMode as 'insert' | 'update' | 'sync', tree: this.ctx.tree, logger: this.ctx.logger, text: (p) => this.text(p) })
        : undefined,
    };
  }

  async close(): Promise<void> {
    await this.state?.mirror?.idle();
  }

  private get s(): Ready {
    if (!this.state) throw new FsError('storage_unavailable', 'strm: not initialised yet', { retryable: true });
    return this.state;
  }

  async stat(path: string): Promise<Entry> {
    return (await this.find(path)).entry;
  }

  async *list(dir: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    let views: View[];
    try {
      views = await this.children(dir, options.signal);
    } catch (err) {
      if (dir === '' || !(isFsError(err, 'not_found') || isFsError(err, 'not_a_directory'))) throw err;
      // As the view has it: a .strm or a file is no folder; a file it hides is not there.
      const seen = await this.probe(dir);
      if (!seen) throw missing(dir);
      if (seen.kind !== 'dir') throw new FsError('not_a_directory', `list "/${dir}": not a folder`);
      throw err;
    }
    const place = this.s.sources.place(dir);
    if (place && this.s.mirror) this.s.mirror.schedule(place, views);
    for (const v of views) yield v.entry;
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const where = `read "/${path}"`;
    const found = await this.find(path);
    if (found.kind === 'dir') throw new FsError('is_a_directory', `${where}: is a folder`);
    const source = found.source as string;
    if (found.kind === 'file') return this.ctx.tree.read(source, options);
    const text = Buffer.from(this.text(source));
    const span = options.range ? wantedSpan(options.range, text.length, where) : undefined;
    const body = span ? text.subarray(span.start, span.end + 1) : text;
    return { stream: Readable.from(body.length > 0 ? [body] : [], { objectMode: false }), size: text.length, range: span };
  }

  /** What the .strm of the file at tree path `source` holds now. */
  text(source: string): string {
    const sign = this.ctx.site.linkSign(source, { always: this.o.withSign });
    return strmText(source, sign, this.o, this.ctx.site.baseUrl());
  }

  /** The entry at `path`, found in its parent's listing (a .strm exists only there). */
  private async find(path: string): Promise<View> {
    if (path === '') return { kind: 'dir', entry: { name: '', isDir: true, size: 0 } };
    const place = this.s.sources.place(path);
    if (place && place.sub === '' && this.s.sources.flat === undefined) {
      this.s.sources.targets(place, path);
      return { kind: 'dir', entry: { name: place.key, isDir: true, size: 0 } };
    }
    const found = await this.probe(path);
    if (!found) throw missing(path);
    return found;
  }

  /** The view entry at `path` (not the root), or undefined when its parent has none or is no folder. */
  private async probe(path: string): Promise<View | undefined> {
    let siblings: View[];
    try {
      siblings = await this.children(parentOf(path));
    } catch (err) {
      if (isFsError(err, 'not_found') || isFsError(err, 'not_a_directory')) return undefined;
      throw err;
    }
    const name = baseName(path);
    return siblings.find((v) => v.entry.name === name);
  }

  /** The view of folder `dir`: its sources' listings, converted; fails only when every source fails. */
  private async children(dir: string, signal?: AbortSignal): Promise<View[]> {
    const { sources } = this.s;
    const place = sources.place(dir);
    if (!place) return [...sources.byKey.keys()].map((key) => ({ kind: 'dir', entry: { name: key, isDir: true, size: 0 } }));
    const out: View[] = [];
    let failure: unknown;
    let listed = 0;
    for (const target of sources.targets(place, dir)) {
      try {
        const entries = await this.ctx.tree.list(target, { signal });
        listed++;
        for (const e of entries) {
          const v = this.convert(target, e);
          if (v) out.push(v);
        }
      } catch (err) {
        failure ??= err;
      }
    }
    if (listed === 0) throw failure instanceof Error ? failure : missing(dir);
    return out;
  }

  /** OpenList's rule: download types as they are, media types as .strm (unless under minFileSize), the rest hidden (or shown, with showOtherFiles). */
  private convert(dir: string, e: Entry): View | undefined {
    const source = joinTree(dir, e.name);
    if (e.isDir) return { kind: 'dir', source, entry: { name: e.name, isDir: true, size: 0, mtime: e.mtime, ctime: e.ctime } };
    const ext = extOf(e.name);
    const { downloadTypes, strmTypes, minBytes } = this.s;
    if (downloadTypes.has(ext)) return { kind: 'file', source, entry: { ...e } };
    if (strmTypes.has(ext)) {
      if (minBytes > 0 && e.size < minBytes) return undefined;
      const name = `${e.name.slice(0, e.name.length - ext.length)}strm`;
      return { kind: 'strm', source, entry: { name, isDir: false, size: Buffer.byteLength(this.text(source)), mtime: e.mtime, ctime: e.ctime } };
    }
    return this.o.showOtherFiles ? { kind: 'file', source, entry: { ...e }, other: true } : undefined;
  }
}

export const strmDriver = defineDriver({
  ...strmMeta,
  create: (options, ctx) => new StrmDriver(options, ctx),
});
