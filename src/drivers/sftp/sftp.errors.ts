import { FsError, type FsErrorCode } from '../../core/errors.js';
import { UNREACHABLE } from '../shared/request-error.js';

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02 §7), as ssh2 puts them in `err.code`. */
export const SFTP_STATUS = {
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

const STATUS: Record<number, { code: FsErrorCode; text: string; retryable?: boolean }> = {
  [SFTP_STATUS.EOF]: { code: 'upstream_error', text: 'unexpected end of file' },
  [SFTP_STATUS.NO_SUCH_FILE]: { code: 'not_found', text: 'no such file or folder' },
  [SFTP_STATUS.PERMISSION_DENIED]: { code: 'permission_denied', text: 'permission denied' },
  [SFTP_STATUS.FAILURE]: { code: 'upstream_error', text: 'the server reported a failure' },
  [SFTP_STATUS.BAD_MESSAGE]: { code: 'upstream_error', text: 'the server rejected a malformed request' },
  [SFTP_STATUS.NO_CONNECTION]: { code: 'storage_unavailable', text: 'no connection', retryable: true },
  [SFTP_STATUS.CONNECTION_LOST]: { code: 'storage_unavailable', text: 'connection lost', retryable: true },
  [SFTP_STATUS.OP_UNSUPPORTED]: { code: 'not_supported', text: 'operation not supported by the server' },
};

function fieldOf(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/** The numeric SFTP status of an ssh2 error, if it is one. */
export function sftpStatus(err: unknown): number | undefined {
  const code = fieldOf(err, 'code');
  return typeof code === 'number' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Errors raised while connecting or by the connection itself (not by one SFTP request). */
export function connectionError(err: unknown, where: string): FsError {
  if (err instanceof FsError) return err;
  const level = fieldOf(err, 'level');
  const code = fieldOf(err, 'code');
  const msg = messageOf(err);
  if (level === 'client-authentication' || /authentication methods failed|auth(entication)? fail/i.test(msg)) {
    return new FsError('unauthorized_upstream', `${where}: the SFTP server refused the username, password or key`, { cause: err });
  }
  if (/cannot parse privatekey|encrypted private .*key/i.test(msg)) {
    return new FsError('invalid_input', `${where}: private_key cannot be read as an unencrypted PEM or OpenSSH private key (${msg})`, { cause: err });
  }
  if (code === 'ENOTFOUND') {
    return new FsError('storage_unavailable', `${where}: host name not found`, { cause: err, retryable: true });
  }
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return new FsError('storage_unavailable', `${where}: cannot reach the SFTP server (${code})`, { cause: err, retryable: true });
  }
  if (level === 'client-timeout' || /timed out/i.test(msg)) {
    return new FsError('storage_unavailable', `${where}: the SFTP server did not answer in time`, { cause: err, retryable: true });
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return new FsError('aborted', `${where}: aborted`, { cause: err });
  }
  return new FsError('upstream_error', `${where}: SFTP connection failed (${msg})`, { cause: err, retryable: true });
}

/**
 * Maps an error from one SFTP request. `op` and `rel` name the operation and the storage-relative
 * path for the message; remote absolute paths stay in `cause`. A request that failed because the
 * connection went away is retryable.
 */
export function sftpError(err: unknown, op: string, rel: string): FsError {
  if (err instanceof FsError) return err;
  const where = `${op} "/${rel}"`;
  const status = sftpStatus(err);
  const hit = status === undefined ? undefined : STATUS[status];
  if (hit) return new FsError(hit.code, `${where}: ${hit.text}`, { cause: err, retryable: hit.retryable ?? false });
  if (err instanceof Error && err.name === 'AbortError') return new FsError('aborted', `${where}: aborted`, { cause: err });
  const msg = messageOf(err);
  if (/no response from server|channel (is )?closed|not connected|connection (lost|closed)|unexpected (end|close)/i.test(msg)) {
    return new FsError('storage_unavailable', `${where}: connection lost`, { cause: err, retryable: true });
  }
  return connectionError(err, where);
}
