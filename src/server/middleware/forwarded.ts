import type { FastifyRequest } from 'fastify';

const FORWARDED = ['x-forwarded-proto', 'x-forwarded-host'] as const;

/**
 * The onRequest hook that makes X-Forwarded-Proto/-Host say what fastify's `trustProxy` decided:
 * from a trusted proxy they are reduced to the one value `req.protocol` / `req.host` use (the
 * proxy's, the last entry); from anyone else they are removed, so nothing downstream (link
 * building, WebDAV Destination checks) can be steered by a client. The client address
 * (`req.ip`, which lockouts and the audit log key on) follows X-Forwarded-For only through
 * fastify's `trustProxy`, with the same trust function.
 */
export function forwardedHeaders(trusted: (address: string, hop: number) => boolean) {
  return async (req: FastifyRequest): Promise<void> => {
    const headers = req.raw.headers;
    if (FORWARDED.every((h) => headers[h] === undefined)) return;
    const peer = req.raw.socket.remoteAddress;
    if (peer !== undefined && trusted(peer, 0)) {
      if (headers['x-forwarded-proto'] !== undefined) headers['x-forwarded-proto'] = req.protocol;
      if (headers['x-forwarded-host'] !== undefined) headers['x-forwarded-host'] = req.host;
      return;
    }
    for (const h of FORWARDED) delete headers[h];
  };
}
