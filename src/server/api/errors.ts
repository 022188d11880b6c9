import type { FastifyReply } from 'fastify';
import { AuthError } from '../../auth/errors.js';
import { StorageRefusal } from '../../services/storages.js';
import { type FsErrorCode, isFsError } from '../../core/errors.js';
import { constraintError } from '../../db/errors.js';

/** The one table from core error codes to the API envelope's code (docs/errors.md mirrors it). */
export const API_CODES: Record<FsErrorCode, number> = {
  not_found: 500,
  already_exists: 403,
  not_a_directory: 400,
  is_a_directory: 400,
  directory_not_empty: 400,
  permission_denied: 403,
  not_supported: 405,
  invalid_path: 403,
  conflict: 409,
  quota_exceeded: 507,
  rate_limited: 429,
  unauthorized_upstream: 502,
  storage_unavailable: 503,
  upstream_error: 502,
  aborted: 400,
  invalid_input: 400,
  loop: 508,
};

/** A failure the API reports in its envelope: `{code, message, data}` with HTTP 200. */
export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly data: unknown = null) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Envelope {
  code: number;
  message: string;
  data: unknown;
}

export function ok(data: unknown = null): Envelope {
  return { code: 200, message: 'success', data };
}

/** Maps anything thrown by a handler to an envelope; unknown errors are logged, never shown raw. */
export function toEnvelope(err: unknown, reply: FastifyReply): Envelope {
  if (err instanceof ApiError) return { code: err.code, message: err.message, data: err.data };
  if (err instanceof AuthError) return { code: err.code, message: err.message, data: null };
  if (err instanceof StorageRefusal) return { code: 400, message: err.message, data: null };
  if (isFsError(err)) {
    if (err.code === 'not_found') return { code: 500, message: `object not found: ${err.message}`, data: null };
    return { code: API_CODES[err.code], message: err.message, data: null };
  }
  // A unique, foreign key or other constraint refused the write (a taken name or mount path, ...):
  // the request's fault on both engines, whichever route wrote.
  const constraint = constraintError(err);
  if (constraint) return { code: 400, message: constraint.message, data: null };
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { code: e.statusCode === 413 ? 413 : 400, message: e.message ?? 'bad request', data: null };
  }
  reply.log.error({ err }, 'unexpected error in API handler');
  return { code: 500, message: 'internal error', data: null };
}
