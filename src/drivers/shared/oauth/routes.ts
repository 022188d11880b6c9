import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { FsError } from '../../../core/errors.js';
import { header, retryAfterMs } from '../http.js';

/** What a token endpoint gives back. */
export interface TokenGrant {
  accessToken: string;
  /** The rotated refresh token; undefined when the provider keeps the old one. */
  refreshToken?: string;
  /** Lifetime of the access token in seconds. */
  expiresInSec: number;
}

/** One way to turn a refresh token into an access token (the provider's endpoint, a helper service). */
export interface RefreshRoute {
  readonly name: string;
  refresh(refreshToken: string, signal: AbortSignal): Promise<TokenGrant>;
}

/** The refresh token was refused for good (invalid_grant, revoked, empty): retrying cannot help. */
export class RefreshRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefreshRejected';
  }
}

export interface TokenHttpOptions {
  dispatcher: Dispatcher;
  /** Upper bound on one call, headers and body together. */
  timeoutMs: number;
}

export interface TokenHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface TokenHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown> | undefined;
}

const MAX_BODY = 64 * 1024;

/** One call to a token endpoint through the mount's pool, under a timeout; the body is always read or destroyed. */
export async function tokenCall(o: TokenHttpOptions, r: TokenHttpRequest, signal: AbortSignal, route: string): Promise<TokenHttpResponse> {
  const both = AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]);
  try {
    const res = await request(r.url, {
      dispatcher: o.dispatcher,
      method: r.method,
      headers: { accept: 'application/json', ...r.headers },
      body: r.body ?? null,
      signal: both,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
    });
    let text = '';
    try {
      for await (const chunk of res.body) {
        text += (chunk as Buffer).toString('utf8');
        if (text.length > MAX_BODY) break;
      }
    } finally {
      res.body.destroy();
    }
    return { status: res.statusCode, headers: res.headers, text, json: parseJson(text) };
  } catch (err) {
    if (signal.aborted) throw new FsError('aborted', `token refresh via ${route}: aborted`, { cause: err });
    const why = both.aborted ? `no answer within ${o.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    throw new FsError('storage_unavailable', `token refresh via ${route}: ${why}`, { cause: err, retryable: true });
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * Reads a token endpoint's answer: a grant, RefreshRejected for a refused token (a 400/401/403 with
 * an OAuth `error` such as invalid_grant, or a provider `code`; or a 2xx with no tokens, AList's
 * "refresh token is empty"), or a retryable
 * FsError (5xx, 429 with its Retry-After, a broken helper answering 404 or HTML).
 */
export function readGrant(res: TokenHttpResponse, route: string): TokenGrant {
  const j = res.json ?? {};
  const code = s(j.error) || s(j.code);
  const message = s(j.error_description) || s(j.message) || s(j.text) || res.text.slice(0, 200);
  if (res.status === 429 || res.status >= 500 || res.status === 404 || res.status === 408) {
    const status = res.status === 429 ? 'rate limited (429)' : `HTTP ${res.status}`;
    throw new FsError(res.status === 429 ? 'rate_limited' : 'storage_unavailable', `token refresh via ${route}: ${status}${code ? ` ${code}` : ''}`, {
      retryable: true,
      retryAfterMs: retryAfterMs(header(res.headers, 'retry-after')),
    });
  }
  if (res.status >= 400) {
    if (res.json && (res.status === 400 || res.status === 401 || res.status === 403) && code !== '') {
      throw new RefreshRejected(`the refresh token was refused via ${route}: ${code}${message ? ` (${message})` : ''}`);
    }
    throw new FsError('storage_unavailable', `token refresh via ${route}: HTTP ${res.status} ${message}`, { retryable: true });
  }
  const accessToken = s(j.access_token);
  const refreshToken = s(j.refresh_token);
  if (accessToken === '' && refreshToken === '') {
    if (!res.json) throw new FsError('storage_unavailable', `token refresh via ${route}: not a JSON answer (${res.text.slice(0, 80)})`, { retryable: true });
    throw new RefreshRejected(`the refresh token was refused via ${route}: refresh token is empty in the answer${message ? ` (${message})` : ''}`);
  }
  if (accessToken === '') throw new FsError('storage_unavailable', `token refresh via ${route}: no access token in the answer`, { retryable: true });
  const expires = Number(j.expires_in);
  return { accessToken, ...(refreshToken ? { refreshToken } : {}), expiresInSec: Number.isFinite(expires) && expires > 0 ? expires : 3600 };
}

export interface OAuthRouteOptions extends TokenHttpOptions {
  name?: string;
  url: string;
  clientId: string;
  clientSecret: string;
  /** `form` (RFC 6749, Microsoft) or `json` (AliyunDrive Open). */
  encoding: 'form' | 'json';
  /** Extra fields sent with the grant (redirect_uri, scope). */
  extra?: Record<string, string>;
}

/** The provider's own token endpoint with the user's client id and secret (grant_type=refresh_token). */
export function oauthRoute(o: OAuthRouteOptions): RefreshRoute {
  const name = o.name ?? 'oauth';
  return {
    name,
    async refresh(refreshToken, signal) {
      const fields: Record<string, string> = { client_id: o.clientId, client_secret: o.clientSecret, grant_type: 'refresh_token', refresh_token: refreshToken, ...o.extra };
      const body = o.encoding === 'form' ? new URLSearchParams(fields).toString() : JSON.stringify(fields);
      const contentType = o.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
      const res = await tokenCall(o, { method: 'POST', url: o.url, headers: { 'content-type': contentType }, body }, signal, name);
      return readGrant(res, name);
    },
  };
}

export interface OnlineRouteOptions extends TokenHttpOptions {
  name?: string;
  url: string;
  /**
   * `post` is AList's `oauth_token_url` helper (POST JSON with empty client id and secret);
   * `renewapi` is OpenList's `api_url_address` helper (GET ?refresh_ui=...&server_use=true&driver_txt=...).
   */
  style: 'post' | 'renewapi';
  driverTxt?: string;
}

/** A token-exchange helper service run by a third party ("online API"). */
export function onlineRoute(o: OnlineRouteOptions): RefreshRoute {
  const name = o.name ?? 'online';
  return {
    name,
    async refresh(refreshToken, signal) {
      if (o.style === 'renewapi') {
        const u = new URL(o.url);
        u.searchParams.set('refresh_ui', refreshToken);
        u.searchParams.set('server_use', 'true');
        u.searchParams.set('driver_txt', o.driverTxt ?? '');
        return readGrant(await tokenCall(o, { method: 'GET', url: u.toString() }, signal, name), name);
      }
      const body = JSON.stringify({ client_id: '', client_secret: '', grant_type: 'refresh_token', refresh_token: refreshToken });
      const res = await tokenCall(o, { method: 'POST', url: o.url, headers: { 'content-type': 'application/json' }, body }, signal, name);
      return readGrant(res, name);
    },
  };
}
