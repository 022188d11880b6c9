import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry, type CircuitBreakerPolicy } from 'cockatiel';
import type { z } from 'zod';
import { FsError } from '../../core/errors.js';
import { discard, header, retryAfterMs, type HttpClient, type HttpResponse } from '../shared/http.js';
import type { TokenManager } from '../shared/oauth/index.js';
import { graphError, requestError } from './onedrive.errors.js';
import { graphError as graphErrorBody } from './wire.js';

export interface GraphCall {
  op: string;
  rel: string;
  signal?: AbortSignal;
  /** Safe to repeat after a 5xx or a network failure. 429 is always retried. */
  idempotent?: boolean;
}

export interface GraphRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Re-sendable bodies only: a refused token repeats the request. */
  body?: string | Buffer;
}

class TokenFailure extends Error {
  constructor(readonly inner: unknown) {
    super('token refresh failed');
  }
}

async function token(get: () => Promise<string>): Promise<string> {
  try {
    return await get();
  } catch (err) {
    throw new TokenFailure(err);
  }
}

/**
 * Calls to Microsoft Graph: bearer token from the TokenManager, one refresh and repeat on 401,
 * retries honouring Retry-After on 429/503, a circuit breaker for the mount, a timeout on every call.
 */
export class GraphClient {
  private readonly breaker: CircuitBreakerPolicy;

  constructor(private readonly o: { http: HttpClient; tokens: TokenManager; timeoutMs: number; signal: AbortSignal }) {
    this.breaker = circuitBreaker(handleWhen((e) => e instanceof FsError && (e.code === 'storage_unavailable' || e.code === 'upstream_error')), {
      halfOpenAfter: 10_000,
      breaker: new ConsecutiveBreaker(8),
    });
  }

  async json<S extends z.ZodType>(r: GraphRequest, schema: S, c: GraphCall): Promise<z.infer<S>> {
    const res = await this.send(r, c, { withTimeout: true });
    const text = await res.body.text().catch((err: unknown) => {
      throw requestError(err, c.op, c.rel);
    });
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new FsError('upstream_error', `${c.op} "/${c.rel}": not a JSON answer`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new FsError('upstream_error', `${c.op} "/${c.rel}": unexpected answer: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data as z.infer<S>;
  }

  /** A 2xx or 3xx response (body to be consumed by the caller); other statuses throw the mapped error. */
  async send(r: GraphRequest, c: GraphCall, o: { withTimeout: boolean }): Promise<HttpResponse> {
    const policy = retry(
      handleWhen((e) => e instanceof FsError && e.retryable && e.code !== 'unauthorized_upstream' && (c.idempotent === true || e.code === 'rate_limited')),
      { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 5_000 }) },
    );
    try {
      return await policy.execute(() => this.breaker.execute(() => this.once(r, c, o.withTimeout)));
    } catch (err) {
      if (err instanceof TokenFailure) throw err.inner;
      if (err instanceof BrokenCircuitError) throw new FsError('storage_unavailable', `${c.op} "/${c.rel}": OneDrive is failing repeatedly; pausing calls for a while`, { retryable: true, retryAfterMs: 10_000 });
      throw err;
    }
  }

  private async once(r: GraphRequest, c: GraphCall, withTimeout: boolean): Promise<HttpResponse> {
    let bearer = await token(() => this.o.tokens.accessToken());
    for (let attempt = 0; ; attempt++) {
      const res = await this.request(r, bearer, c, withTimeout);
      if (res.status < 400) return res;
      const text = await res.body.text().catch(() => '');
      const e = graphErrorBody.safeParse(safeJson(text));
      const code = e.success ? e.data.error.code : '';
      if (res.status === 401 && attempt === 0) {
        const rejected = bearer;
        bearer = await token(() => this.o.tokens.rejected(rejected));
        continue;
      }
      throw graphError(res.status, code, e.success ? e.data.error.message : text.slice(0, 200), `${c.op} "/${c.rel}"`, retryAfterMs(header(res.headers, 'retry-after')));
    }
  }

  private async request(r: GraphRequest, bearer: string, c: GraphCall, withTimeout: boolean): Promise<HttpResponse> {
    const deadline = withTimeout ? AbortSignal.timeout(this.o.timeoutMs) : undefined;
    const signals = [this.o.signal, ...(deadline ? [deadline] : []), ...(c.signal ? [c.signal] : [])];
    try {
      return await this.o.http.send({
        method: r.method,
        url: r.url,
        headers: { authorization: `Bearer ${bearer}`, ...(typeof r.body === 'string' ? { 'content-type': 'application/json' } : {}), ...r.headers },
        ...(r.body !== undefined ? { body: r.body } : {}),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      if (c.signal?.aborted || this.o.signal.aborted) throw new FsError('aborted', `${c.op} "/${c.rel}": aborted`, { cause: err });
      if (deadline?.aborted) throw new FsError('storage_unavailable', `${c.op} "/${c.rel}": no answer from OneDrive within ${this.o.timeoutMs} ms`, { cause: err, retryable: true });
      throw requestError(err, c.op, c.rel);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}


