import type { FastifyReply } from 'fastify';
import { AuthError } from '../../auth/errors.js';
import { type FsErrorCode, isFsError } from '../../core/errors.js';

/**
 * The one table from core error codes to WebDAV statuses (docs/errors.md mirrors it). Handlers
 * check the RFC 4918 cases they must tell apart (405 for MKCOL on an existing resource, 412 for
 * Overwrite: F, 409 for a missing parent) before calling core; everything else lands here.
 */
export const DAV_STATUS: Record<FsErrorCode, number> = {
  not_found: 404,
  already_exists: 412,
  not_a_directory: 409,
  is_a_directory: 409,
  directory_not_empty: 409,
  permission_denied: 403,
  not_supported: 403,
  invalid_path: 400,
  conflict: 409,
  quota_exceeded: 507,
  rate_limited: 503,
  unauthorized_upstream: 502,
  storage_unavailable: 503,
  upstream_error: 502,
  aborted: 400,
  invalid_input: 400,
  loop: 508,
};

export const REALM = 'filebridge';

/** A WebDAV answer other than success: a status, an optional RFC 4918 precondition element, headers. */
export class DavError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly condition?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DavError';
  }
}

/** 401 with the Basic challenge (RFC 7235: every 401 carries one). */
export function unauthorized(message = 'authentication required'): DavError {
  return new DavError(401, message, undefined, { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` });
}

function conditionBody(condition: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:">${condition}</D:error>`;
}

/** Sends any thrown value as a WebDAV error response; unknown errors are logged and answered 500. */
export function sendError(reply: FastifyReply, err: unknown) {
  let status = 500;
  let message = 'internal error';
  let condition: string | undefined;
  const headers: Record<string, string> = {};
  if (err instanceof DavError) {
    [status, message, condition] = [err.status, err.message, err.condition];
    Object.assign(headers, err.headers);
  } else if (err instanceof AuthError) {
    if (err.code === 400 || err.code === 401) return sendError(reply, unauthorized(err.message));
    [status, message] = [err.code === 402 ? 403 : err.code, err.message];
  } else if (isFsError(err)) {
    [status, message] = [DAV_STATUS[err.code], err.message];
    if (err.retryAfterMs !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  } else {
    const e = err as { statusCode?: number; message?: string };
    if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) [status, message] = [e.statusCode, e.message ?? 'bad request'];
    else reply.log.error({ err }, 'webdav handler failed');
  }
  if (reply.sent || reply.raw.headersSent) return reply;
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  if (condition) return reply.code(status).type('application/xml; charset=utf-8').send(conditionBody(condition));
  return reply.code(status).type('text/plain; charset=utf-8').send(`${status} ${message}\n`);
}
