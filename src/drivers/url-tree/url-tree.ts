import { FsError } from '../../core/errors.js';
import type { Driver, DriverContext, Entry, Link, ReadOptions, ReadResult } from '../../core/storage/index.js';
import { defineDriver } from '../define-driver.js';
import { HttpClient } from '../shared/http.js';
import { fitToSpan, parseContentRange, wantedSpan, type Span } from '../shared/range.js';
import { type CheckedFetchOptions, type Fetched, fetchChecked, statusError } from './fetch.js';
import { urlTreeMeta } from './meta.js';
import type { UrlTreeOptions } from './options.js';
import { buildTree, filesOf, nodeAt, sizeOf, type UrlNode } from './text.js';

/** HEAD requests at once while sizes are looked up at start. */
const HEAD_PARALLEL = 4;

/** Lets a response body go unread (undici reports a destroyed body as an abort error: heard here). */
function drop(res: Fetched): void {
  res.body.once('error', () => undefined);
  res.body.destroy();
}

/** A Content-Length header as a number, or undefined. */
function lengthOf(value: string | string[] | undefined): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * UrlTree: a read-only tree of folders and files declared as text (`url_structure`), each file
 * a URL. Lists and stats come from the text; reads fetch the URL through the mount's HTTP pool
 * under the SSRF rule of offline downloads, byte ranges passed on; link() gives the URL, so /d
 * redirects to it. See docs/drivers/url-tree.md.
 */
export class UrlTreeDriver implements Driver {
  private root: UrlNode | undefined;
  private fetchOptions: CheckedFetchOptions | undefined;

  constructor(
    private readonly o: UrlTreeOptions,
    private readonly ctx: DriverContext,
  ) {}

  async init(signal: AbortSignal): Promise<void> {
    const root = buildTree(this.o.url_structure);
    if (this.o.head_size) await this.headSizes(root, signal);
    this.root = root;
  }

  private get tree(): UrlNode {
    if (!this.root) throw new FsError('storage_unavailable', 'url_tree: not initialised yet', { retryable: true });
    return this.root;
  }

  private get fetcher(): CheckedFetchOptions {
    this.fetchOptions ??= { http: new HttpClient({ dispatcher: this.ctx.dispatcher, maxInFlight: 16 }), allowPrivate: () => this.ctx.site.allowPrivateAddresses() };
    return this.fetchOptions;
  }

  /** OpenList's head_size: a HEAD for each file the text gives no size; a failure leaves the size unknown (and is logged). */
  private async headSizes(root: UrlNode, signal: AbortSignal): Promise<void> {
    const todo = filesOf(root).filter((f) => f.size === undefined);
    const worker = async () => {
      for (let f = todo.shift(); f; f = todo.shift()) {
        if (signal.aborted) return;
        try {
          const res = await fetchChecked(this.fetcher, f.url as string, { method: 'HEAD', signal });
          await res.body.dump().catch(() => undefined);
          if (res.status >= 300) throw statusError(res);
          const size = lengthOf(res.headers['content-length']);
          if (size === undefined) throw new FsError('upstream_error', `url_tree: ${f.url} gave no Content-Length`);
          f.size = size;
        } catch (err) {
          this.ctx.logger.warn({ err, url: f.url }, 'url_tree: get size from url failed');
        }
      }
    };
    await Promise.all(Array.from({ length: HEAD_PARALLEL }, worker));
  }

  private node(path: string, op: string): UrlNode {
    const n = nodeAt(this.tree, path);
    if (!n) throw new FsError('not_found', `${op} "/${path}": no such file or folder`);
    return n;
  }

  private entry(n: UrlNode): Entry {
    const isDir = n.url === undefined;
    return { name: n.name, isDir, size: sizeOf(n), ...(n.modified !== undefined ? { mtime: new Date(n.modified * 1000) } : {}) };
  }

  async stat(path: string): Promise<Entry> {
    const n = this.node(path, 'stat');
    return { ...this.entry(n), name: path === '' ? '' : n.name };
  }

  async *list(dir: string): AsyncGenerator<Entry> {
    const n = this.node(dir, 'list');
    if (n.url !== undefined) throw new FsError('not_a_directory', `list "/${dir}": not a folder`);
    for (const c of n.children) yield this.entry(c);
  }

  async link(path: string): Promise<Link> {
    const n = this.node(path, 'link');
    if (n.url === undefined) throw new FsError('is_a_directory', `link "/${path}": is a folder`);
    return { url: n.url };
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const where = `read "/${path}"`;
    const n = this.node(path, 'read');
    if (n.url === undefined) throw new FsError('is_a_directory', `${where}: is a folder`);
    // With the size known, an unsatisfiable range is refused here; unknown, the server decides.
    const span: Span | undefined = options.range && n.size !== undefined ? wantedSpan(options.range, n.size, where) : undefined;
    const range = span ?? (options.range ? { start: options.range.start, end: options.range.end } : undefined);
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {};
    const res = await fetchChecked(this.fetcher, n.url, { method: 'GET', headers, signal: options.signal });
    if (res.status !== 200 && res.status !== 206) {
      drop(res);
      throw res.status === 416 ? new FsError('invalid_input', `${where}: range not satisfiable`) : statusError(res);
    }
    const length = lengthOf(res.headers['content-length']);
    if (res.status === 200) {
      const size = length ?? n.size ?? 0;
      if (!range) return { stream: res.body, size };
      if (size === 0) {
        drop(res);
        throw new FsError('invalid_input', `${where}: range not satisfiable (empty file)`);
      }
      // The server ignored the range: the whole body, trimmed to what was asked.
      const wanted = wantedSpan(range, size, where);
      return { ...fitToSpan(res.body, { start: 0, end: size - 1 }, wanted), size };
    }
    const sent = parseContentRange(res.headers['content-range'] as string | undefined);
    if (!sent) {
      drop(res);
      throw new FsError('upstream_error', `${where}: a 206 answer without a usable Content-Range`);
    }
    const fitted = span ? fitToSpan(res.body, sent, span) : { stream: res.body, range: { start: sent.start, end: sent.end } };
    return { stream: fitted.stream, size: sent.size, range: fitted.range };
  }
}

export const urlTreeDriver = defineDriver({
  ...urlTreeMeta,
  create: (options, ctx) => new UrlTreeDriver(options, ctx),
});
