/** Stable error codes shared by drivers, core and every front door. */
export const FS_ERROR_CODES = [
  'not_found',
  'already_exists',
  'not_a_directory',
  'is_a_directory',
  'directory_not_empty',
  'permission_denied',
  'not_supported',
  'invalid_path',
  'conflict',
  'quota_exceeded',
  'rate_limited',
  'unauthorized_upstream',
  'storage_unavailable',
  'upstream_error',
  'aborted',
  'invalid_input',
  /** A virtual storage would reach itself again (an alias of an alias of itself). */
  'loop',
] as const;

export type FsErrorCode = (typeof FS_ERROR_CODES)[number];

export interface FsErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

export class FsError extends Error {
  readonly code: FsErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: FsErrorCode, message: string, options: FsErrorOptions = {}) {
    // Answers such as "no such file" are ordinary results on hot paths (stat before a PUT): they
    // carry no stack trace, which costs more to capture than the rest of the call.
    const limit = Error.stackTraceLimit;
    if (code === 'not_found' || code === 'already_exists') Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = limit;
    this.name = 'FsError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isFsError(err: unknown, code?: FsErrorCode): err is FsError {
  return err instanceof FsError && (code === undefined || err.code === code);
}

/** Wraps anything thrown into an FsError, keeping FsErrors as they are. */
export function toFsError(err: unknown, fallback: FsErrorCode = 'upstream_error'): FsError {
  if (err instanceof FsError) return err;
  if (err instanceof Error && err.name === 'AbortError') {
    return new FsError('aborted', 'operation aborted', { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new FsError(fallback, message, { cause: err });
}
