import { posix } from 'node:path';
import { FsError } from '../../core/errors.js';

/** Splits "host:port", "[v6]:port" or a bare host. */
export function parseAddress(address: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address.trim()) ?? /^([^:]+)(?::(\d+))?$/.exec(address.trim());
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FsError('invalid_input', `address must be host:port, not "${address}"`);
  }
  return { host: m[1], port };
}

/** The absolute root folder on a server, without a trailing slash (except "/"). */
export function normaliseRoot(root: string): string {
  return posix.normalize(posix.join('/', root.trim() === '' ? '/' : root)).replace(/(.)\/$/, '$1');
}
