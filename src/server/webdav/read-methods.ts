import type { FastifyReply } from 'fastify';
import { signPath } from '../../auth/sign.js';
import { serveFile } from '../http/serve-file.js';
import { type DavRequest, allow, encodeSegment } from './context.js';
import { DavError } from './errors.js';
import type { DavLocks } from './locks.js';

export const DAV_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK'] as const;
export const ALLOW = DAV_METHODS.join(', ');

/** Headers every WebDAV answer carries. */
export const DAV_HEADERS = { DAV: '1, 2', 'MS-Author-Via': 'DAV' } as const;

/** OPTIONS: compliance classes and methods; needs no credentials. */
export function options(reply: FastifyReply) {
  return reply.code(200).header('Allow', ALLOW).header('Content-Length', '0').send();
}

/** A 302 target when the storage's webdav_policy asks for one and a plain link exists. */
async function redirectTarget(dav: DavRequest): Promise<string | undefined> {
  const { fs, settings } = dav.deps;
  const spec = fs.mountOf(dav.path)?.spec;
  if (!spec || spec.policy.webdavPolicy === 'native_proxy') return undefined;
  if (spec.policy.webdavPolicy === 'use_proxy_url') {
    if (!spec.policy.downProxyUrl) return undefined;
    const base = spec.policy.downProxyUrl.replace(/\/+$/, '');
    const sign = signPath(settings.signKey(), dav.path, settings.linkExpirationHours(), Date.now(), dav.deps.gate.linkVersion(dav.path));
    return `${base}${dav.path.split('/').map(encodeSegment).join('/')}?sign=${encodeURIComponent(sign)}`;
  }
  if (spec.facts.proxyOnly) return undefined;
  const link = await fs.link(dav.path).catch(() => undefined);
  return link && !link.headers ? link.url : undefined;
}

/** GET/HEAD: files with Range, ETag and conditional requests; 302 per the storage's webdav_policy. */
export async function getOrHead(dav: DavRequest, reply: FastifyReply, locks: DavLocks) {
  allow(dav, 'read');
  await locks.checkIf(dav);
  const entry = await dav.deps.fs.stat(dav.path);
  if (entry.isDir) {
    if (dav.req.method === 'HEAD') return reply.code(200).type('httpd/unix-directory').header('Content-Length', '0').send();
    throw new DavError(405, 'GET on a collection is not supported; use PROPFIND', undefined, { Allow: ALLOW.replace('GET, ', '') });
  }
  if (dav.req.method === 'GET') {
    const target = await redirectTarget(dav);
    if (target) {
      return reply.code(302).header('Location', target).header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'max-age=0, no-cache, no-store, must-revalidate').send();
    }
  }
  return serveFile(
    dav.req,
    reply,
    { name: entry.name, size: entry.size, mtime: entry.mtime, open: (range, signal) => dav.deps.fs.read(dav.path, { range, signal }) },
    { disposition: 'inline' },
  );
}
