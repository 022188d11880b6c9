import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { FsError } from '../core/errors.js';
import { type AddressPolicy, type CheckedHost, type Resolver, UrlRefused, checkHost } from './url-check.js';

/** SimpleHttp's own timeouts. */
export interface FetchTimeouts {
  /** From the start of a request to its response headers (connecting included). */
  responseMs: number;
  /** Longest silence on the socket while the body streams. */
  idleMs: number;
}

export const DEFAULT_FETCH_TIMEOUTS: FetchTimeouts = { responseMs: 30_000, idleMs: 60_000 };

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface FetchOptions {
  headers: Record<string, string>;
  /** The SSRF rule's one switch, or a policy of its own (tests). */
  allowPrivate: boolean | AddressPolicy;
  signal: AbortSignal;
  timeouts?: FetchTimeouts;
  /** Replaces the system resolver (tests). */
  resolve?: Resolver;
}

export interface Fetched {
  res: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: URL;
}

/** Connects to the checked addresses only: the name is never resolved a second time (no DNS rebinding window). */
function pinned(checked: CheckedHost): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, checked.addresses);
    else {
      const first = checked.addresses[0] as { address: string; family: number };
      callback(null, first.address, first.family);
    }
  }) as unknown as LookupFunction;
}

function once(url: URL, checked: CheckedHost, options: FetchOptions): Promise<IncomingMessage> {
  const t = options.timeouts ?? DEFAULT_FETCH_TIMEOUTS;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers: options.headers, lookup: pinned(checked), signal: options.signal, timeout: t.idleMs });
    const deadline = setTimeout(() => req.destroy(new FsError('upstream_error', `${url.host} did not answer within ${t.responseMs} ms`, { retryable: true })), t.responseMs);
    req.on('timeout', () => req.destroy(new FsError('upstream_error', `${url.host} went silent for ${t.idleMs} ms`, { retryable: true })));
    req.on('response', (res) => {
      clearTimeout(deadline);
      resolve(res);
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.end();
  });
}

/**
 * GET with the SSRF rule applied to every hop: each host is resolved once, all its addresses are
 * checked, and the connection goes to a checked address; a redirect to a refused address (or to
 * anything but http/https) is refused. Answers with the final response, its body unread.
 */
export async function fetchChecked(start: URL, options: FetchOptions): Promise<Fetched> {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlRefused(`a redirect to ${url.protocol.replace(/:$/, '')} is not followed (http and https are)`);
    const checked = await checkHost(url, options.allowPrivate, options.resolve);
    let res: IncomingMessage;
    try {
      res = await once(url, checked, options);
    } catch (err) {
      if (err instanceof FsError) throw err;
      if ((err as Error).name === 'AbortError') throw new FsError('aborted', 'download stopped', { cause: err });
      throw new FsError('upstream_error', `${url.host}: ${(err as Error).message}`, { cause: err, retryable: true });
    }
    const location = res.headers.location;
    if (res.statusCode !== undefined && REDIRECTS.has(res.statusCode) && location) {
      res.resume();
      res.destroy();
      url = new URL(location, url);
      continue;
    }
    return { res, url };
  }
  throw new FsError('upstream_error', `more than ${MAX_REDIRECTS} redirects from ${start.href}`);
}

/** The error for an HTTP status that is not a success: 408, 429 and 5xx are worth another attempt. */
export function statusError(url: URL, res: IncomingMessage): FsError {
  const status = res.statusCode ?? 0;
  const retryAfter = Number(res.headers['retry-after']);
  const retryable = status === 408 || status === 429 || status >= 500;
  const code = retryable ? 'upstream_error' : status === 404 || status === 410 ? 'not_found' : status === 401 || status === 403 ? 'permission_denied' : 'invalid_input';
  return new FsError(code, `${url.href} answered HTTP ${status}`, {
    retryable,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  });
}
