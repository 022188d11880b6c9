import { FsError, type FsErrorCode } from '../../core/errors.js';
import { answerText, statusError, type ErrorAnswer } from '../shared/rest.js';
import { graphError as graphBody } from './wire.js';

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
export function graphError(a: ErrorAnswer): FsError {
  const body = graphBody.safeParse(a.json).data?.error;
  const text = answerText(a, body);
  const mapped = BY_CODE[body?.code ?? ''];
  const after = { retryAfterMs: a.retryAfterMs };
  if (a.status === 429 || mapped === 'rate_limited') return new FsError('rate_limited', text, { retryable: true, ...after });
  if (mapped) return new FsError(mapped, text, { retryable: a.status >= 500 || mapped === 'storage_unavailable', ...after });
  if (a.status === 409) return new FsError('already_exists', text);
  if (a.status === 507) return new FsError('quota_exceeded', text);
  if (a.status >= 500) return new FsError('storage_unavailable', text, { retryable: true, ...after });
  return statusError(a, text);
}
