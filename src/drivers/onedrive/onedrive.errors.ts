import { FsError, type FsErrorCode } from '../../core/errors.js';

export { requestError } from '../webdav/webdav.errors.js';

const BY_CODE: Readonly<Record<string, FsErrorCode>> = {
  itemNotFound: 'not_found',
  nameAlreadyExists: 'already_exists',
  accessDenied: 'permission_denied',
  quotaLimitReached: 'quota_exceeded',
  insufficientStorage: 'quota_exceeded',
  invalidRequest: 'invalid_input',
  notAllowed: 'permission_denied',
  activityLimitReached: 'rate_limited',
  InvalidAuthenticationToken: 'unauthorized_upstream',
  unauthenticated: 'unauthorized_upstream',
  serviceNotAvailable: 'storage_unavailable',
};

/** The FsError for a Graph error answer (`{ error: { code, message } }` with an HTTP status). */
export function graphError(status: number, code: string, message: string, where: string, retryAfterMs?: number): FsError {
  const text = `${where}: ${code || `HTTP ${status}`}${message ? ` (${message})` : ''}`;
  const mapped = BY_CODE[code];
  const transient = status === 429 || status === 503 || status === 502 || status === 504 || status >= 500;
  if (status === 429 || mapped === 'rate_limited') return new FsError('rate_limited', text, { retryable: true, retryAfterMs });
  if (mapped) return new FsError(mapped, text, { retryable: transient || mapped === 'storage_unavailable', retryAfterMs });
  if (status === 404) return new FsError('not_found', text);
  if (status === 409) return new FsError('already_exists', text);
  if (status === 401) return new FsError('unauthorized_upstream', text, { retryable: true });
  if (status === 403) return new FsError('permission_denied', text);
  if (status === 507) return new FsError('quota_exceeded', text);
  if (transient) return new FsError('storage_unavailable', text, { retryable: true, retryAfterMs });
  return new FsError('upstream_error', text);
}
