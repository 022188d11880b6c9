import { FsError, type FsErrorCode } from '../../core/errors.js';

interface Mapping {
  code: FsErrorCode;
  text: string;
  retryable?: boolean;
}

/** S3 error codes (the SDK's `name`) to stable FsError codes. */
const BY_NAME: Readonly<Record<string, Mapping>> = {
  NoSuchKey: { code: 'not_found', text: 'no such object' },
  NotFound: { code: 'not_found', text: 'not found' },
  NoSuchUpload: { code: 'not_found', text: 'no such upload' },
  NoSuchBucket: { code: 'storage_unavailable', text: 'the bucket does not exist' },
  AccessDenied: { code: 'permission_denied', text: 'access denied' },
  Forbidden: { code: 'permission_denied', text: 'access denied' },
  AllAccessDisabled: { code: 'permission_denied', text: 'all access to this object is disabled' },
  InvalidAccessKeyId: { code: 'unauthorized_upstream', text: 'the access key id is not known to the server' },
  SignatureDoesNotMatch: { code: 'unauthorized_upstream', text: 'the secret access key does not match' },
  ExpiredToken: { code: 'unauthorized_upstream', text: 'the session token has expired' },
  InvalidToken: { code: 'unauthorized_upstream', text: 'the session token is invalid' },
  TokenRefreshRequired: { code: 'unauthorized_upstream', text: 'the session token must be refreshed' },
  InvalidRange: { code: 'invalid_input', text: 'range not satisfiable' },
  EntityTooLarge: { code: 'invalid_input', text: 'object too large for a single request' },
  KeyTooLongError: { code: 'invalid_path', text: 'object key too long' },
  InvalidObjectName: { code: 'invalid_path', text: 'invalid object name' },
  PreconditionFailed: { code: 'conflict', text: 'precondition failed' },
  OperationAborted: { code: 'conflict', text: 'a conflicting operation is in progress', retryable: true },
  QuotaExceeded: { code: 'quota_exceeded', text: 'quota exceeded' },
  SlowDown: { code: 'rate_limited', text: 'slow down', retryable: true },
  Throttling: { code: 'rate_limited', text: 'throttled', retryable: true },
  ThrottlingException: { code: 'rate_limited', text: 'throttled', retryable: true },
  RequestTimeout: { code: 'upstream_error', text: 'the server timed out reading the request', retryable: true },
  TimeoutError: { code: 'upstream_error', text: 'timed out', retryable: true },
  RequestTimeTooSkewed: { code: 'unauthorized_upstream', text: "this machine's clock is too far from the server's" },
};

/** Socket-level failures: the storage cannot be reached at all. */
const NETWORK: Readonly<Record<string, Mapping>> = {
  ECONNREFUSED: { code: 'storage_unavailable', text: 'connection refused', retryable: true },
  ENOTFOUND: { code: 'storage_unavailable', text: 'host not found', retryable: true },
  EAI_AGAIN: { code: 'storage_unavailable', text: 'host name lookup failed', retryable: true },
  EHOSTUNREACH: { code: 'storage_unavailable', text: 'host unreachable', retryable: true },
  ECONNRESET: { code: 'upstream_error', text: 'connection reset', retryable: true },
  EPIPE: { code: 'upstream_error', text: 'connection closed', retryable: true },
  ETIMEDOUT: { code: 'upstream_error', text: 'timed out', retryable: true },
};

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
}

function retryAfterMs(e: SdkErrorShape): number | undefined {
  const raw = e.$response?.headers?.['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function byStatus(status: number | undefined): Mapping | undefined {
  if (status === undefined) return undefined;
  if (status === 404) return { code: 'not_found', text: 'not found' };
  if (status === 401) return { code: 'unauthorized_upstream', text: 'unauthorised' };
  if (status === 403) return { code: 'permission_denied', text: 'access denied' };
  if (status === 412) return { code: 'conflict', text: 'precondition failed' };
  if (status === 416) return { code: 'invalid_input', text: 'range not satisfiable' };
  if (status === 429) return { code: 'rate_limited', text: 'too many requests', retryable: true };
  if (status === 503) return { code: 'rate_limited', text: 'service unavailable (slow down)', retryable: true };
  if (status >= 500) return { code: 'upstream_error', text: `server error ${status}`, retryable: true };
  return undefined;
}

/**
 * Turns anything the S3 SDK (or its sockets) threw into an FsError whose message names the
 * operation and the storage-relative path; the SDK error stays in `cause`.
 */
export function s3Error(err: unknown, op: string, relPath: string): FsError {
  if (err instanceof FsError) return err;
  const where = `${op} "/${relPath}"`;
  const e = shape(err);
  const name = typeof e.name === 'string' ? e.name : '';
  if (name === 'AbortError') return new FsError('aborted', `${where}: aborted`, { cause: err });
  const hit = BY_NAME[name] ?? (typeof e.code === 'string' ? NETWORK[e.code] : undefined) ?? byStatus(e.$metadata?.httpStatusCode);
  if (hit) {
    return new FsError(hit.code, `${where}: ${hit.text}`, { cause: err, retryable: hit.retryable ?? false, retryAfterMs: retryAfterMs(e) });
  }
  const detail = typeof e.message === 'string' && e.message !== '' ? e.message : name || String(err);
  return new FsError('upstream_error', `${where}: S3 error (${detail})`, { cause: err });
}

/** True for errors that mean "no object with this key" (GetObject says NoSuchKey, HeadObject NotFound). */
export function isMissing(err: unknown): boolean {
  const e = shape(err);
  if (e.name === 'NoSuchBucket') return false;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** Runs one S3 call and maps whatever it throws. */
export async function s3Call<T>(op: string, relPath: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw s3Error(err, op, relPath);
  }
}
