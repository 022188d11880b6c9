import { FTPError } from 'basic-ftp';
import { FsError } from '../../core/errors.js';
import { UNREACHABLE } from '../shared/request-error.js';

const NOT_FOUND_TEXT = /no such file|not found|does not exist|doesn't exist|ENOENT|can't (open|find)|cannot find|not a (plain )?file/i;
const DENIED_TEXT = /permission|denied|not allowed|forbidden|EACCES|EPERM|access/i;
const NOT_EMPTY_TEXT = /not empty|ENOTEMPTY/i;

/** The FTP reply code of a basic-ftp error, if it is one. */
export function ftpCode(err: unknown): number | undefined {
  return err instanceof FTPError ? err.code : undefined;
}

function replyError(code: number, text: string, where: string, err: unknown): FsError {
  const opts = { cause: err };
  if (code === 530 || code === 332) return new FsError('unauthorized_upstream', `${where}: the FTP server refused the login`, opts);
  if (code === 421 || code === 425 || code === 426) {
    return new FsError('upstream_error', `${where}: the FTP server dropped the connection or transfer (${code})`, { ...opts, retryable: true });
  }
  if (code === 552) return new FsError('quota_exceeded', `${where}: storage quota exceeded on the FTP server`, opts);
  if (code === 553) return new FsError('invalid_path', `${where}: the FTP server does not allow this file name`, opts);
  if (NOT_EMPTY_TEXT.test(text)) return new FsError('directory_not_empty', `${where}: folder is not empty`, opts);
  if (code === 550 || code === 450 || code === 451) {
    // 550 covers both "missing" and "refused": the reply text tells them apart; missing is the default.
    if (NOT_FOUND_TEXT.test(text)) return new FsError('not_found', `${where}: no such file or folder`, opts);
    if (DENIED_TEXT.test(text)) return new FsError('permission_denied', `${where}: permission denied`, opts);
    if (code === 550) return new FsError('not_found', `${where}: no such file or folder`, opts);
    return new FsError('upstream_error', `${where}: the FTP server could not do it now (${code})`, { ...opts, retryable: true });
  }
  if (code === 502 || code === 504 || code === 500 || code === 501) {
    return new FsError('not_supported', `${where}: the FTP server does not support this command (${code})`, opts);
  }
  return new FsError('upstream_error', `${where}: FTP server replied ${code}`, opts);
}

/**
 * Maps anything basic-ftp throws. `op` and `rel` name the operation and the storage-relative path;
 * server paths and reply texts stay in `cause`.
 */
export function ftpError(err: unknown, op: string, rel: string): FsError {
  if (err instanceof FsError) return err;
  const where = `${op} "/${rel}"`;
  if (err instanceof FTPError) return replyError(err.code, err.message, where, err);
  if (err instanceof Error && err.name === 'AbortError') return new FsError('aborted', `${where}: aborted`, { cause: err });
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const msg = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return new FsError('storage_unavailable', `${where}: cannot reach the FTP server (${code})`, { cause: err, retryable: true });
  }
  if (/timeout/i.test(msg)) return new FsError('storage_unavailable', `${where}: the FTP server did not answer in time`, { cause: err, retryable: true });
  if (/closed|ended|socket|connection/i.test(msg)) {
    return new FsError('upstream_error', `${where}: FTP connection lost (${msg})`, { cause: err, retryable: true });
  }
  if (/certificate|self[- ]signed|TLS|SSL/i.test(msg)) {
    return new FsError('storage_unavailable', `${where}: TLS handshake with the FTP server failed (${msg})`, { cause: err });
  }
  return new FsError('upstream_error', `${where}: FTP error (${msg})`, { cause: err });
}
