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
