import { circuitBreaker, ConsecutiveBreaker, handleWhen, retry, BrokenCircuitError, ExponentialBackoff, type CircuitBreakerPolicy } from 'cockatiel';
import type { z } from 'zod';
import { FsError } from '../../core/errors.js';
import { header, retryAfterMs, type HttpClient, type HttpResponse } from '../shared/http.js';
import type { TokenManager } from '../shared/oauth/index.js';
import { apiError, requestError, TOKEN_CODES } from './aliyundrive-open.errors.js';
import { aliError } from './wire.js';

export interface AliClientOptions {
  http: HttpClient;
  tokens: TokenManager;
  baseUrl: string;
  timeoutMs: number;
  /** Aborted when the mount closes. */
  signal: AbortSignal;
}

export interface AliCall {
  op: string;
  rel: string;
  signal?: AbortSignal;
  /** Safe to repeat after a 5xx or a network failure (reads). 429 is always retried. */
  idempotent?: boolean;
}

/** A token refresh failed; it was retried already, so the API call is not retried on top. */
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

const retryable = (e: Error): boolean => e instanceof FsError && e.retryable && e.code !== 'unauthorized_upstream';

/**
 * JSON calls to the AliyunDrive Open API: bearer token from the TokenManager, one refresh and
 * repeat when the answer says the token is invalid or expired, retries with backoff that honour
 * Retry-After, a circuit breaker for the mount and a timeout on every call.
 */
export class AliClient {
  private readonly breaker: CircuitBreakerPolicy;

  constructor(private readonly o: AliClientOptions) {
    this.breaker = circuitBreaker(handleWhen((e) => e instanceof FsError && (e.code === 'storage_unavailable' || e.code === 'upstream_error')), {
      halfOpenAfter: 10_000,
      breaker: new ConsecutiveBreaker(8),
    });
  }

  async post<S extends z.ZodType>(path: string, body: Record<string, unknown>, schema: S, c: AliCall): Promise<z.infer<S>> {
    const policy = retry(handleWhen((e) => retryable(e) && (c.idempotent === true || (e as FsError).code === 'rate_limited')), {
      maxAttempts: 2,
      backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 5_000 }),
    });
    try {
      const json = await policy.execute(() => this.breaker.execute(() => this.once(path, body, c)));
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new FsError('upstream_error', `${c.op} "/${c.rel}": unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? ''}`);
      return parsed.data as z.infer<S>;
    } catch (err) {
      if (err instanceof TokenFailure) throw err.inner;
      if (err instanceof BrokenCircuitError) throw new FsError('storage_unavailable', `${c.op} "/${c.rel}": AliyunDrive is failing repeatedly; pausing calls for a while`, { retryable: true, retryAfterMs: 10_000 });
      throw err;
    }
  }

  /** One call, plus one repeat with a fresh token when the token was refused. */
  private async once(path: string, body: Record<string, unknown>, c: AliCall): Promise<unknown> {
    let bearer = await token(() => this.o.tokens.accessToken());
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(path, body, bearer, c);
      const text = await res.body.text().catch((err: unknown) => {
        throw requestError(err, c.op, c.rel);
      });
      const json = parse(text);
      if (res.status >= 200 && res.status < 300) return json;
      const e = aliError.safeParse(json);
      const code = e.success ? e.data.code : '';
      if (TOKEN_CODES.has(code) && attempt === 0) {
        const rejected = bearer;
        bearer = await token(() => this.o.tokens.rejected(rejected));
        continue;
      }
      throw apiError(res.status, code, e.success ? e.data.message : text.slice(0, 200), `${c.op} "/${c.rel}"`, retryAfterMs(header(res.headers, 'retry-after')));
    }
  }

  private async send(path: string, body: Record<string, unknown>, token: string, c: AliCall): Promise<HttpResponse> {
    const deadline = AbortSignal.timeout(this.o.timeoutMs);
    const signals = [this.o.signal, deadline, ...(c.signal ? [c.signal] : [])];
    try {
      return await this.o.http.send({
        method: 'POST',
        url: `${this.o.baseUrl}${path}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      if (c.signal?.aborted || this.o.signal.aborted) throw new FsError('aborted', `${c.op} "/${c.rel}": aborted`, { cause: err });
      if (deadline.aborted) throw new FsError('storage_unavailable', `${c.op} "/${c.rel}": no answer from AliyunDrive within ${this.o.timeoutMs} ms`, { cause: err, retryable: true });
      throw requestError(err, c.op, c.rel);
    }
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
