import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';

/** Constant-time comparison; hashing first hides the length too. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Whether a request may read operational details (mount paths, errors, /metrics): the
 * `metrics_token` as a Bearer (or raw) Authorization header, or any credential the auth service
 * accepts (login JWT, admin token, API token) whose principal the gate calls an administrator.
 */
export function observerCheck(deps: AppDeps): (req: FastifyRequest) => Promise<boolean> {
  return async (req) => {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') return false;
    const token = deps.config.metrics_token;
    if (token !== '' && sameSecret(header.trim().replace(/^bearer\s+/i, ''), token)) return true;
    try {
      return deps.gate.isAdmin(await deps.auth.authenticate(header, req.ip));
    } catch {
      return false;
    }
  };
}
