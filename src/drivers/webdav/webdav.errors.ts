import type { IncomingHttpHeaders } from 'node:http';
import { FsError, type FsErrorCode } from '../../core/errors.js';
import { header, retryAfterMs } from '../shared/http.js';

interface Mapping {
  code: FsErrorCode;
  text: string;
  retryable?: boolean;
}

/** HTTP statuses of a WebDAV server to stable FsError codes; `op` refines the ambiguous ones. */
function mapStatus(status: number, op: string): Mapping {
  switch (status) {
    case 400:
      return { code: 'invalid_path', text: 'bad request' };
    case 401:
      return { code: 'unauthorized_upstream', text: 'the server refused the credentials' };
    case 403:
      return { code: 'permission_denied', text: 'forbidden' };
    case 404:
    case 410:
      return { code: 'not_found', text: 'no such file or folder' };
    case 405:
      return op === 'mkdir' ? { code: 'already_exists', text: 'already exists' } : { code: 'not_supported', text: 'method not allowed here' };
    case 409:
      // A missing parent folder (RFC 4918 §9.3.1, §9.7.1, §9.8.5, §9.9.4).
      return { code: 'not_found', text: 'the parent folder does not exist' };
    case 412:
      return { code: 'already_exists', text: 'destination already exists' };
    case 413:
      return { code: 'quota_exceeded', text: 'too large for the server' };
    case 414:
      return { code: 'invalid_path', text: 'path too long' };
    case 416:
      return { code: 'invalid_input', text: 'range not satisfiable' };
    case 423:
      return { code: 'conflict', text: 'locked' };
    case 429:
      return { code: 'rate_limited', text: 'too many requests', retryable: true };
    case 502:
    case 503:
    case 504:
      return { code: 'storage_unavailable', text: `server unavailable (${status})`, retryable: true };
    case 507:
      return { code: 'quota_exceeded', text: 'insufficient storage' };
    default:
      if (status >= 500) return { code: 'upstream_error', text: `server error ${status}`, retryable: true };
      return { code: 'upstream_error', text: `unexpected status ${status}` };
  }
}

/** The FsError for an HTTP status (the body must already be consumed). */
export function statusError(status: number, op: string, rel: string, headers: IncomingHttpHeaders = {}): FsError {
  const m = mapStatus(status, op);
  return new FsError(m.code, `${op} "/${rel}": ${m.text}`, { retryable: m.retryable ?? false, retryAfterMs: retryAfterMs(header(headers, 'retry-after')) });
}

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
