import { FsError } from '../../core/errors.js';
import { checkHost, type Resolver, UrlRefused } from '../../offline/url-check.js';
import type { HttpClient, HttpResponse } from '../shared/http.js';
import { requestError } from '../shared/request-error.js';

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface CheckedFetchOptions {
  http: HttpClient;
  /** Read on every request: the offline_download_allow_private setting. */
  allowPrivate(): boolean;
  /** Replaces the system resolver (tests). */
  resolve?: Resolver;
}

export interface Fetched extends HttpResponse {
  /** The URL that answered, after redirects. */
  url: URL;
}

function parse(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new FsError('invalid_input', `url_tree: not a URL: ${text}`);
  }
}

/** Basic credentials written in the URL (`http://user:pass@host/...`), as a header. */
function credentials(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/**
 * Requests a URL of the tree through the mount's pooled HTTP client, under the offline
 * downloads' SSRF rule at every hop: the host is resolved once, every address it has is
 * checked, and the connection goes to a checked address (the host name travels in the Host
 * header, and in TLS's SNI), so no second lookup can lead elsewhere. Redirects are followed
 * (at most ten, http and https only); the final response is returned with its body unread.
 */
export async function fetchChecked(o: CheckedFetchOptions, start: string, request: { method: 'GET' | 'HEAD'; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Fetched> {
  let url = parse(start);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FsError('permission_denied', `url_tree: ${url.protocol.replace(/:$/, '')} URLs are not fetched (http and https are)`);
    let address: { address: string; family: 4 | 6 };
    try {
      [address] = (await checkHost(url, o.allowPrivate(), o.resolve)).addresses as [{ address: string; family: 4 | 6 }];
    } catch (err) {
      if (err instanceof UrlRefused) {
        throw new FsError('permission_denied', `url_tree: ${url.host} is refused: ${err.message.replace(/^offline download refused: /, '')}`, { cause: err });
      }
      throw err;
    }
    const host = address.family === 6 ? `[${address.address}]` : address.address;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    let res: HttpResponse;
    try {
      res = await o.http.send({
        method: request.method,
        url: `${url.protocol}//${host}:${port}${url.pathname}${url.search}`,
        headers: { host: url.host, ...credentials(url), ...request.headers },
        signal: request.signal,
      });
    } catch (err) {
      throw requestError(err, request.method, url.href);
    }
    const location = res.headers.location;
    if (REDIRECTS.has(res.status) && typeof location === 'string') {
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      url = parse(location, url);
      continue;
    }
    return { ...res, url };
  }
  throw new FsError('upstream_error', `url_tree: more than ${MAX_REDIRECTS} redirects from ${start}`);
}

/** The error for a status that is no success: 408, 429 and 5xx are worth another attempt. */
export function statusError(res: Fetched): FsError {
  const s = res.status;
  const retryable = s === 408 || s === 429 || s >= 500;
  const code = retryable ? 'upstream_error' : s === 404 || s === 410 ? 'not_found' : s === 401 || s === 403 ? 'permission_denied' : s === 416 ? 'invalid_input' : 'upstream_error';
  const after = Number(res.headers['retry-after']);
  return new FsError(code, `url_tree: ${res.url.href} answered HTTP ${s}`, { retryable, ...(Number.isFinite(after) && after > 0 ? { retryAfterMs: after * 1000 } : {}) });
}
