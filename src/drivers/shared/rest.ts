import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { FsError } from '../../core/errors.js';
import type { ByteRange, ReadResult } from '../../core/storage/index.js';
import { discard, header, retryAfterMs, type HttpClient, type HttpResponse } from './http.js';
import { fitToSpan, parseContentRange, wantedSpan } from './range.js';
import { requestError } from './request-error.js';
import { GiveUp, Retry, type RetryOptions } from './retry.js';

/** Where access tokens come from: the mount's TokenManager. */
export interface BearerSource {
  accessToken(): Promise<string>;
  /** The upstream refused `token`: a fresh one (refreshed once, single-flight). */
  rejected(token: string): Promise<string>;
}

export interface RestCall {
  op: string;
  rel: string;
  signal?: AbortSignal | undefined;
  /** Safe to repeat after a 5xx or a network failure (reads; a PUT of a whole body). A 429 is always repeated: nothing was done. */
  idempotent?: boolean;
}

export interface RestRequest {
  method: string;
  /** Relative to the base URL, or absolute (a next-page link, a pre-signed URL). */
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** A raw body; it is sent again on a repeat, so it is never a stream. */
  body?: string | Buffer;
}

/** An error answer as a driver's error mapping sees it (the body already read). */
export interface ErrorAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as JSON; undefined when it is not JSON. */
  json: unknown;
  /** `op "/rel"`, to start messages with. */
  where: string;
  retryAfterMs: number | undefined;
}

export interface RestClientOptions {
  http: HttpClient;
  tokens: BearerSource;
  baseUrl: string;
  /** Aborted when the mount closes. */
  signal: AbortSignal;
  /** The driver's mapping of an error answer to its FsError (in its *.errors.ts). */
  mapError(a: ErrorAnswer): FsError;
  /** Whether the answer says the access token was refused: refresh once and repeat (default: a 401). */
  tokenRefused?(a: ErrorAnswer): boolean;
  retry?: RetryOptions;
}

/** `where: CODE (message)` from the error body the API gave, else `where: HTTP status (the start of the body)`. */
export function answerText(a: ErrorAnswer, body?: { code: string; message: string }): string {
  const message = body ? body.message : a.text.slice(0, 200);
  return `${a.where}: ${body?.code || `HTTP ${a.status}`}${message ? ` (${message})` : ''}`;
}

/** The FsError an HTTP status alone means: what a driver's mapping falls back to for codes it does not know. */
export function statusError(a: ErrorAnswer, text = answerText(a)): FsError {
  const after = { retryAfterMs: a.retryAfterMs };
  if (a.status === 429) return new FsError('rate_limited', text, { retryable: true, ...after });
  if (a.status === 401) return new FsError('unauthorized_upstream', text, { retryable: true });
  if (a.status === 403) return new FsError('permission_denied', text);
  if (a.status === 404 || a.status === 410) return new FsError('not_found', text);
  if (a.status === 502 || a.status === 503 || a.status === 504) return new FsError('storage_unavailable', text, { retryable: true, ...after });
  return new FsError('upstream_error', text, { retryable: a.status >= 500, ...after });
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * HTTP/JSON calls to a cloud API on the mount's pooled transport: the bearer token from the
 * TokenManager (one refresh and repeat when it is refused), JSON in and out, the driver's error
 * mapping, and one retry policy: idempotent calls are repeated after 429, 5xx and network
 * failures (whatever the mapping marks retryable), with backoff that honours Retry-After. No
 * breaker and no deadline here: core's guard has the one of each for every call.
 */
export class RestClient {
  private readonly retry: Retry;
  /** For pre-signed transfers of whole bodies: as long as they need. */
  private readonly transfers: Retry;
  private readonly base: string;

  constructor(private readonly o: RestClientOptions) {
    const policy = { initialDelayMs: 200, maxDelayMs: 5_000, ...o.retry };
    this.retry = new Retry(policy);
    this.transfers = new Retry({ ...policy, budgetMs: Number.POSITIVE_INFINITY });
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** POSTs `json`; the answer checked against `schema`. */
  post<S extends z.ZodType>(url: string, json: unknown, schema: S, c: RestCall): Promise<z.infer<S>> {
    return this.json({ method: 'POST', url, json }, schema, c);
  }

  /** An authorised request whose 2xx answer is JSON checked against `schema` (an empty body reads as `{}`). */
  async json<S extends z.ZodType>(r: RestRequest, schema: S, c: RestCall): Promise<z.infer<S>> {
    const text = await this.authorised(r, c, (res) => res.body.text().catch((err: unknown) => Promise.reject(requestError(err, c.op, c.rel))));
    const parsed = schema.safeParse(text === '' ? {} : parseJson(text));
    if (!parsed.success) throw new FsError('upstream_error', `${c.op} "/${c.rel}": unexpected answer: ${parsed.error.issues[0]?.message ?? 'not JSON'}`);
    return parsed.data as z.infer<S>;
  }

  /** An authorised request; a 2xx or 3xx answer is returned, its body for the caller to consume. */
  send(r: RestRequest, c: RestCall): Promise<HttpResponse> {
    return this.authorised(r, c, async (res) => res);
  }

  /**
   * A request to a pre-signed URL (no bearer token): an answer in `ok` is returned, its body for
   * the caller to consume; others are the status's FsError. Repeated like any call when idempotent.
   */
  direct(r: RestRequest, c: RestCall, ok: readonly number[]): Promise<HttpResponse> {
    const signal = this.signalOf(c);
    const attempt = async (): Promise<HttpResponse> => {
      const res = await this.request(r, undefined, c, signal);
      if (ok.includes(res.status)) return res;
      throw statusError(await answer(res, c));
    };
    return (r.body === undefined ? this.retry : this.transfers).run(attempt, { signal, when: repeatable(c) });
  }

  /** GETs a download URL, asking for `range` of a file of `size` bytes; the body fitted to exactly that span. */
  async download(url: string, o: { size: number; range?: ByteRange | undefined; signal?: AbortSignal | undefined; rel: string }): Promise<ReadResult> {
    const wanted = o.range ? wantedSpan(o.range, o.size, `read "/${o.rel}"`) : undefined;
    const headers: Record<string, string> = wanted ? { range: `bytes=${wanted.start}-${wanted.end}` } : {};
    const res = await this.direct({ method: 'GET', url, headers }, { op: 'read', rel: o.rel, signal: o.signal, idempotent: true }, [200, 206]);
    if (!wanted) return { stream: res.body, size: o.size };
    const sent = res.status === 206 ? parseContentRange(header(res.headers, 'content-range')) : undefined;
    const fitted = fitToSpan(res.body, sent ?? { start: 0, end: o.size - 1 }, wanted);
    return { stream: fitted.stream, size: o.size, range: fitted.range };
  }

  /** Runs the request and `take` on its answer under the retry policy; one refresh and repeat when the token is refused. */
  private authorised<T>(r: RestRequest, c: RestCall, take: (res: HttpResponse) => Promise<T>): Promise<T> {
    const signal = this.signalOf(c);
    let refreshed = false;
    const attempt = async (): Promise<T> => {
      for (let bearer = await this.token(() => this.o.tokens.accessToken()); ; ) {
        const res = await this.request(r, bearer, c, signal);
        if (res.status < 400) return take(res);
        const a = await answer(res, c);
        if (refreshed || !(this.o.tokenRefused ?? isUnauthorized)(a)) throw this.o.mapError(a);
        refreshed = true;
        const refused = bearer;
        bearer = await this.token(() => this.o.tokens.rejected(refused));
      }
    };
    return this.retry.run(attempt, { signal, when: repeatable(c) });
  }

  /** A token, or a failure that is not retried here (the TokenManager has its own policy). */
  private async token(get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (err) {
      throw new GiveUp(err);
    }
  }

  private async request(r: RestRequest, bearer: string | undefined, c: RestCall, signal: AbortSignal): Promise<HttpResponse> {
    const headers: Record<string, string> = bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
    if (r.json !== undefined || typeof r.body === 'string') headers['content-type'] = 'application/json';
    const body = r.json !== undefined ? JSON.stringify(r.json) : r.body;
    const url = r.url.includes('://') ? r.url : `${this.base}${r.url}`;
    try {
      return await this.o.http.send({ method: r.method, url, headers: { ...headers, ...r.headers }, ...(body !== undefined ? { body } : {}), signal });
    } catch (err) {
      if (signal.aborted) throw new FsError('aborted', `${c.op} "/${c.rel}": aborted`, { cause: err });
      throw requestError(err, c.op, c.rel);
    }
  }

  private signalOf(c: RestCall): AbortSignal {
    return c.signal ? AbortSignal.any([this.o.signal, c.signal]) : this.o.signal;
  }
}

const isUnauthorized = (a: ErrorAnswer): boolean => a.status === 401;

/** What a call may repeat: a retryable failure when it is idempotent, a 429 always; never a refused token. */
function repeatable(c: RestCall): (err: FsError) => boolean {
  return (err) => err.retryable && err.code !== 'unauthorized_upstream' && (c.idempotent === true || err.code === 'rate_limited');
}

/** Reads an error answer's body (bounded by the pool's body timeout); a body that fails reads as empty. */
async function answer(res: HttpResponse, c: RestCall): Promise<ErrorAnswer> {
  const text = await res.body.text().catch(async () => {
    await discard(res);
    return '';
  });
  return { status: res.status, headers: res.headers, text, json: parseJson(text), where: `${c.op} "/${c.rel}"`, retryAfterMs: retryAfterMs(header(res.headers, 'retry-after')) };
}
