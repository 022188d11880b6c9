import { FsError, type FsErrorCode } from '../../core/errors.js';

interface Mapping {
  code: FsErrorCode;
  text: string;
  retryable?: boolean;
}

/** Socket-level errno codes that mean the server cannot be reached right now (worth another attempt). */
export const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** What undici and Node sockets throw, by code: the ones worth another attempt are retryable. */
const NETWORK: Readonly<Record<string, Mapping>> = {
  ECONNREFUSED: { code: 'storage_unavailable', text: 'connection refused', retryable: true },
  ENOTFOUND: { code: 'storage_unavailable', text: 'host not found', retryable: true },
  EAI_AGAIN: { code: 'storage_unavailable', text: 'host name lookup failed', retryable: true },
  EHOSTUNREACH: { code: 'storage_unavailable', text: 'host unreachable', retryable: true },
  ECONNRESET: { code: 'upstream_error', text: 'connection reset', retryable: true },
  EPIPE: { code: 'upstream_error', text: 'connection closed', retryable: true },
  UND_ERR_SOCKET: { code: 'upstream_error', text: 'connection closed', retryable: true },
  UND_ERR_CONNECT_TIMEOUT: { code: 'storage_unavailable', text: 'connect timed out', retryable: true },
  UND_ERR_HEADERS_TIMEOUT: { code: 'upstream_error', text: 'timed out waiting for the response', retryable: true },
  UND_ERR_BODY_TIMEOUT: { code: 'upstream_error', text: 'timed out reading the response', retryable: true },
  UND_ERR_CLOSED: { code: 'storage_unavailable', text: 'the storage was closed' },
  UND_ERR_DESTROYED: { code: 'storage_unavailable', text: 'the storage was closed' },
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: { code: 'invalid_input', text: 'body length does not match the declared size' },
  CERT_HAS_EXPIRED: { code: 'storage_unavailable', text: 'the server certificate has expired' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { code: 'storage_unavailable', text: 'self-signed server certificate (see tls_insecure_skip_verify)' },
  SELF_SIGNED_CERT_IN_CHAIN: { code: 'storage_unavailable', text: 'self-signed certificate in chain (see tls_insecure_skip_verify)' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { code: 'storage_unavailable', text: 'cannot verify the server certificate' },
};

/** Turns anything a request threw (socket errors, timeouts, aborts) into an FsError. */
export function requestError(err: unknown, op: string, rel: string): FsError {
  if (err instanceof FsError) return err;
  const where = `${op} "/${rel}"`;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown; message?: unknown };
  if (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED' || e.code === 'ABORT_ERR') {
    return new FsError('aborted', `${where}: aborted`, { cause: err });
  }
  const hit = typeof e.code === 'string' ? NETWORK[e.code] : undefined;
  if (hit) return new FsError(hit.code, `${where}: ${hit.text}`, { cause: err, retryable: hit.retryable ?? false });
  const detail = typeof e.message === 'string' ? e.message : String(err);
  return new FsError('upstream_error', `${where}: request failed (${detail})`, { cause: err, retryable: true });
}
