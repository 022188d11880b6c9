import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { FsError } from '../../core/errors.js';

/** A counting semaphore; `acquire` honours an abort signal while waiting. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new FsError('aborted', 'request aborted');
    const now = this.tryAcquire();
    if (now) return now;
    // A freed slot is handed straight to the first waiter, so a newcomer can never slip in
    // between and push the count over the bound.
    await this.wait(signal);
    return this.releaser();
  }

  /** A slot at once when one is free (no waiting, no promise), else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.max || this.waiting.length > 0) return undefined;
    this.active++;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new FsError('aborted', 'request aborted'));
      };
      const go = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Must be consumed or destroyed; the request's slot is held until it closes. */
  body: Readable & { text(): Promise<string>; dump(opts?: { limit: number }): Promise<void> };
}

/** A whole, small answer: what {@link HttpClient.exchange} gives. */
export interface HttpExchange {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first bytes of the response body, as many as were asked to be kept. */
  body: Buffer;
}

/** Longest response body read to its end to keep a connection reusable; a longer one closes it. */
export const DISCARD_LIMIT = 256 * 1024;

export interface HttpClientOptions {
  dispatcher: Dispatcher;
  /** At most this many requests (counting unfinished response bodies) at once. */
  maxInFlight: number;
  /** Headers sent with every request (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Headers timeout for each request. */
  headersTimeoutMs?: number;
}

/**
 * Requests through a mount's pooled dispatcher, at most `maxInFlight` at a time. A slot is held
 * from the request until its response body has closed, so a caller that forgets a body shows
 * up as a stall in tests rather than as leaked sockets in production.
 */
export class HttpClient {
  private readonly limiter: Limiter;

  /** The headers sent with every request, as undici's flat name/value list. */
  private readonly baseHeaders: string[];

  constructor(private readonly o: HttpClientOptions) {
    this.limiter = new Limiter(Math.max(1, Math.floor(o.maxInFlight)));
    this.baseHeaders = Object.entries(o.headers ?? {}).flat();
  }

  /** The client's headers and the request's, the request's winning, as undici's flat name/value list. */
  private headersOf(extra: Record<string, string> | undefined): string[] {
    const base = this.baseHeaders;
    if (!extra) return base.slice();
    const out: string[] = [];
    for (let i = 0; i < base.length; i += 2) if (!((base[i] as string) in extra)) out.push(base[i] as string, base[i + 1] as string);
    for (const name in extra) out.push(name, extra[name] as string);
    return out;
  }

  async send(r: HttpRequest): Promise<HttpResponse> {
    const release = (!r.signal?.aborted && this.limiter.tryAcquire()) || (await this.limiter.acquire(r.signal));
    try {
      const { origin, path } = splitUrl(r.url);
      const res = await this.o.dispatcher.request({
        origin,
        path,
        method: r.method as Dispatcher.HttpMethod,
        headers: this.headersOf(r.headers),
        body: r.body ?? null,
        signal: r.signal,
        headersTimeout: this.o.headersTimeoutMs ?? 30_000,
      });
      const body = res.body;
      // Released a turn later, once the dispatcher has marked the connection idle again, so the
      // next request reuses it instead of opening another.
      // The body closes after its end and after an error alike.
      const later = (): void => void setImmediate(release);
      if (body.destroyed) later();
      else body.once('close', later);
      return { status: res.statusCode, headers: res.headers, body: body as HttpResponse['body'] };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * A request whose answer is wanted whole and is small (a status, headers, at most a short
   * text): no response stream is built. The body is read to its end (so the connection is
   * reused) and kept up to `keepBytes`; one longer than {@link DISCARD_LIMIT} closes the
   * connection instead. The slot is held until the answer is complete or has failed.
   */
  async exchange(r: HttpRequest, keepBytes = 0): Promise<HttpExchange> {
    const release = (!r.signal?.aborted && this.limiter.tryAcquire()) || (await this.limiter.acquire(r.signal));
    const { origin, path } = splitUrl(r.url);
    return new Promise<HttpExchange>((resolve, reject) => {
      const signal = r.signal;
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      let chunks: Buffer[] | undefined;
      let kept = 0;
      let seen = 0;
      let settled = false;
      const onAbort = (): void => controller?.abort(signal?.reason ?? new Error('aborted'));
      const settle = (err: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        // Released a turn later, after the dispatcher's own turn that marks the connection idle
        // again (it schedules that once this handler returns), so the next request reuses it.
        process.nextTick(setImmediate, release);
        if (err !== undefined) reject(err);
        else resolve({ status, headers, body: chunks ? Buffer.concat(chunks, kept) : EMPTY });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (c) => {
          controller = c;
          if (signal?.aborted) onAbort();
        },
        onResponseStart: (_c, statusCode, h) => {
          status = statusCode;
          headers = h as IncomingHttpHeaders;
        },
        onResponseData: (c, chunk) => {
          seen += chunk.length;
          if (seen > DISCARD_LIMIT) {
            // Status and headers are known: answer with them, and let the connection go.
            settle(undefined);
            c.abort(new Error('response body too long to read through'));
            return;
          }
          if (kept < keepBytes) {
            const part = chunk.length <= keepBytes - kept ? chunk : chunk.subarray(0, keepBytes - kept);
            (chunks ??= []).push(part);
            kept += part.length;
          }
        },
        onResponseEnd: () => settle(undefined),
        onResponseError: (_c, err) => settle(err),
      };
      this.o.dispatcher.dispatch(
        {
          origin,
          path,
          method: r.method as Dispatcher.HttpMethod,
          headers: this.headersOf(r.headers),
          body: r.body ?? null,
          headersTimeout: this.o.headersTimeoutMs ?? 30_000,
        },
        handler,
      );
    });
  }
}

const EMPTY = Buffer.alloc(0);

/** An absolute URL as undici's origin and path (with query), without parsing it whole per request. */
export function splitUrl(url: string): { origin: string; path: string } {
  const scheme = url.indexOf('://');
  if (scheme < 0) throw new TypeError(`not an absolute URL: ${url}`);
  const slash = url.indexOf('/', scheme + 3);
  const query = url.indexOf('?', scheme + 3);
  const cut = slash < 0 ? query : query < 0 ? slash : Math.min(slash, query);
  if (cut < 0) return { origin: url, path: '/' };
  const path = url.slice(cut);
  return { origin: url.slice(0, cut), path: path.startsWith('/') ? path : `/${path}` };
}

/** Reads and discards a body (bounded), destroying it when it is longer; never throws. */
export async function discard(res: HttpResponse): Promise<void> {
  try {
    await res.body.dump({ limit: DISCARD_LIMIT });
  } catch {
    res.body.destroy();
  }
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** One header value as a string. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
