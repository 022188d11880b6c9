import { FsError, type FsErrorCode } from '../../core/errors.js';

export { requestError } from '../webdav/webdav.errors.js';

/** Codes AliyunDrive Open answers when the access token is no good: refresh once and repeat. */
export const TOKEN_CODES: ReadonlySet<string> = new Set(['AccessTokenInvalid', 'AccessTokenExpired', 'I400JD']);

interface Mapping {
  code: FsErrorCode;
  retryable?: boolean;
}

/** Error code prefixes of the API, in order; the first match wins. */
const BY_CODE: readonly [RegExp, Mapping][] = [
  [/^NotFound\./, { code: 'not_found' }],
  [/^AlreadyExist\./, { code: 'already_exists' }],
  [/^(TooManyRequests|ParamFlowException)/, { code: 'rate_limited', retryable: true }],
  [/^(Forbidden|UserNotAllowedAccess|PermissionDenied)/, { code: 'permission_denied' }],
  [/^QuotaExhausted|^FileSizeExceed/, { code: 'quota_exceeded' }],
  [/^(AccessToken|I400JD|UserDeviceOffline)/, { code: 'unauthorized_upstream', retryable: true }],
  [/^InvalidParameter\.(Name|FilePath)/, { code: 'invalid_path' }],
  [/^InvalidParameter/, { code: 'invalid_input' }],
];

/** The FsError for an API error answer (`{ code, message }` with an HTTP status). */
export function apiError(status: number, code: string, message: string, where: string, retryAfterMs?: number): FsError {
  const hit = BY_CODE.find(([re]) => re.test(code))?.[1];
  const text = `${where}: ${code || `HTTP ${status}`}${message ? ` (${message})` : ''}`;
  if (hit) return new FsError(hit.code, text, { retryable: hit.retryable ?? false, retryAfterMs });
  if (status === 429) return new FsError('rate_limited', text, { retryable: true, retryAfterMs });
  if (status === 404) return new FsError('not_found', text);
  if (status === 401) return new FsError('unauthorized_upstream', text, { retryable: true });
  if (status === 403) return new FsError('permission_denied', text);
  if (status === 502 || status === 503 || status === 504) return new FsError('storage_unavailable', text, { retryable: true, retryAfterMs });
  if (status >= 500) return new FsError('upstream_error', text, { retryable: true, retryAfterMs });
  return new FsError('upstream_error', text);
}
