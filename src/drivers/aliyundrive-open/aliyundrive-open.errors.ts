import { FsError, type FsErrorCode } from '../../core/errors.js';
import { answerText, statusError, type ErrorAnswer } from '../shared/rest.js';
import { aliError } from './wire.js';

/** Codes AliyunDrive Open answers when the access token is no good: refresh once and repeat. */
const TOKEN_CODES: ReadonlySet<string> = new Set(['AccessTokenInvalid', 'AccessTokenExpired', 'I400JD']);

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

/** The answer says the access token was refused (whatever the status). */
export const tokenRefused = (a: ErrorAnswer): boolean => TOKEN_CODES.has(aliError.safeParse(a.json).data?.code ?? '');

/** The FsError for an API error answer (`{ code, message }` with an HTTP status). */
export function apiError(a: ErrorAnswer): FsError {
  const body = aliError.safeParse(a.json).data;
  const code = body?.code ?? '';
  const hit = BY_CODE.find(([re]) => re.test(code))?.[1];
  const text = answerText(a, body);
  return hit ? new FsError(hit.code, text, { retryable: hit.retryable ?? false, retryAfterMs: a.retryAfterMs }) : statusError(a, text);
}
