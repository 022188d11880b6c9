import { FsError, type FsErrorCode } from '../../core/errors.js';

interface Mapping {
  code: FsErrorCode;
  text: string;
  retryable?: boolean;
}

/** Node fs errno codes (and fs.cp's own codes) to stable FsError codes. */
const ERRNO: Readonly<Record<string, Mapping>> = {
  ENOENT: { code: 'not_found', text: 'no such file or folder' },
  EEXIST: { code: 'already_exists', text: 'already exists' },
  ENOTDIR: { code: 'not_a_directory', text: 'not a folder' },
  EISDIR: { code: 'is_a_directory', text: 'is a folder' },
  ENOTEMPTY: { code: 'directory_not_empty', text: 'folder is not empty' },
  EACCES: { code: 'permission_denied', text: 'permission denied' },
  EPERM: { code: 'permission_denied', text: 'operation not permitted' },
  EROFS: { code: 'permission_denied', text: 'read-only file system' },
  ENOSPC: { code: 'quota_exceeded', text: 'no space left on device' },
  EDQUOT: { code: 'quota_exceeded', text: 'disk quota exceeded' },
  EFBIG: { code: 'quota_exceeded', text: 'file too large' },
  EXDEV: { code: 'not_supported', text: 'cannot move across file systems' },
  ENAMETOOLONG: { code: 'invalid_path', text: 'name too long' },
  ELOOP: { code: 'invalid_path', text: 'too many levels of symbolic links' },
  EINVAL: { code: 'invalid_path', text: 'invalid argument' },
  EBUSY: { code: 'storage_unavailable', text: 'resource busy', retryable: true },
  EAGAIN: { code: 'storage_unavailable', text: 'resource temporarily unavailable', retryable: true },
  EMFILE: { code: 'storage_unavailable', text: 'too many open files', retryable: true },
  ENFILE: { code: 'storage_unavailable', text: 'too many open files in system', retryable: true },
  ETIMEDOUT: { code: 'storage_unavailable', text: 'timed out', retryable: true },
  ESTALE: { code: 'storage_unavailable', text: 'stale file handle', retryable: true },
  EIO: { code: 'upstream_error', text: 'input/output error' },
  ABORT_ERR: { code: 'aborted', text: 'operation aborted' },
  ERR_FS_CP_EEXIST: { code: 'already_exists', text: 'destination already exists' },
  ERR_FS_CP_DIR_TO_NON_DIR: { code: 'already_exists', text: 'destination already exists' },
  ERR_FS_CP_NON_DIR_TO_DIR: { code: 'already_exists', text: 'destination already exists' },
  ERR_FS_CP_EINVAL: { code: 'invalid_path', text: 'cannot copy a folder into itself' },
};

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the error came from a file-system call (it carries an errno code). */
export function isErrnoError(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== undefined && (code.startsWith('E') || code.startsWith('ERR_FS_'));
}

/**
 * Turns anything a Node fs call threw into an FsError. The message names the operation and the
 * storage-relative path only: host paths stay in `cause`, for logs, never in client-facing text.
 */
export function localError(err: unknown, op: string, relPath: string): FsError {
  if (err instanceof FsError) return err;
  const where = `${op} "/${relPath}"`;
  if (err instanceof Error && err.name === 'AbortError') {
    return new FsError('aborted', `${where}: operation aborted`, { cause: err });
  }
  const code = errnoCode(err);
  const hit = code === undefined ? undefined : ERRNO[code];
  if (hit) {
    return new FsError(hit.code, `${where}: ${hit.text}`, { cause: err, retryable: hit.retryable ?? false });
  }
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  return new FsError('upstream_error', `${where}: file system error (${detail})`, { cause: err });
}

/** Runs an fs call and maps whatever it throws. */
export async function fsCall<T>(op: string, relPath: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw localError(err, op, relPath);
  }
}
