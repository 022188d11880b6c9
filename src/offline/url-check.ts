import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FsError } from '../core/errors.js';
import { type AddressKind, addressAllowed, classifyAddress } from './address-filter.js';

/** The setting that lets downloads reach private, loopback and link-local addresses. */
export const ALLOW_PRIVATE_KEY = 'offline_download_allow_private';

export type UrlKind = 'http' | 'magnet';

/** A URL a user asked for: `http` covers http and https (a .torrent URL is one of them). */
export interface ParsedSource {
  url: URL;
  kind: UrlKind;
}

/** A host whose every resolved address passed the SSRF rule: connect to one of `addresses`, nothing else. */
export interface CheckedHost {
  host: string;
  addresses: { address: string; family: 4 | 6 }[];
}

/** Refused by the SSRF rule or the URL rules: the message says which and how an administrator allows it. */
export class UrlRefused extends FsError {
  constructor(message: string) {
    super('permission_denied', message);
    this.name = 'UrlRefused';
  }
}

/** Parses a URL for an offline download: http, https and magnet only. */
export function parseSource(text: string): ParsedSource {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UrlRefused(`not a URL: ${text}`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (url.hostname === '') throw new UrlRefused(`no host in ${text}`);
    return { url, kind: 'http' };
  }
  if (url.protocol === 'magnet:') {
    if (!/(^|&)xt=urn:bt[im]h:/i.test(url.search.slice(1))) throw new UrlRefused('a magnet link needs an xt=urn:btih: (or btmh) hash');
    return { url, kind: 'magnet' };
  }
  throw new UrlRefused(`the scheme ${url.protocol.replace(/:$/, '')} is not allowed for offline downloads (http, https and magnet are)`);
}

function describe(kind: AddressKind): string {
  return kind === 'invalid' ? 'not a usable address' : `a ${kind} address`;
}

function refusal(url: string, host: string, address: string, kind: AddressKind): UrlRefused {
  const where = host === address ? address : `${host} resolves to ${address}`;
  return new UrlRefused(
    `offline download refused: ${url}: ${where}, ${describe(kind)}; only public addresses are allowed unless an administrator turns on the setting ${ALLOW_PRIVATE_KEY}`,
  );
}

/** Which addresses may be connected to (the SSRF rule, or a narrower one in tests). */
export type AddressPolicy = (address: string) => boolean;

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Resolves a URL's host (every address: `dns.lookup` with `all`) and checks each one against the
 * SSRF rule; one refused address refuses the host, so a name that resolves to a public and a
 * private address cannot be used to reach the private one. Returns what to connect to.
 */
export async function checkHost(url: URL, allowPrivate: boolean | AddressPolicy, resolve: Resolver = systemResolver): Promise<CheckedHost> {
  const allowed: AddressPolicy = typeof allowPrivate === 'function' ? allowPrivate : (address) => addressAllowed(address, allowPrivate);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let found: { address: string; family: number }[];
  if (literal !== 0) found = [{ address: host, family: literal }];
  else {
    try {
      found = await resolve(host);
    } catch (err) {
      throw new FsError('upstream_error', `cannot resolve ${host}: ${(err as Error).message}`, { cause: err, retryable: true });
    }
  }
  if (found.length === 0) throw new FsError('upstream_error', `${host} has no address`, { retryable: true });
  for (const a of found) {
    if (!allowed(a.address)) throw refusal(url.href, host, a.address, classifyAddress(a.address));
  }
  return { host, addresses: found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })) };
}
