import type { Logger } from 'pino';
import type { AuditInput, AuditRepository } from '../db/repositories/audit.js';

/** Keys whose values never reach the audit log (passwords, tokens, storage options). */
const HIDDEN = /pass|secret|token|private_key|access_key|addition|otp|credential/i;

/** A copy of a request body fit for the log: secrets dropped, long strings cut, depth limited. */
export function auditDetail(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 3) return '…';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => auditDetail(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 30)) {
    // Settings arrive as [{key, value}]: hide the value of a secret-looking key too.
    if (HIDDEN.test(k)) out[k] = '(hidden)';
    else if (k === 'value' && typeof (value as { key?: unknown }).key === 'string' && HIDDEN.test((value as { key: string }).key)) out[k] = '(hidden)';
    else out[k] = auditDetail(v, depth + 1);
  }
  return out;
}

/** Writes audit entries; a failure to write is logged and never fails the action itself. */
export class AuditLog {
  constructor(private readonly repo: AuditRepository, private readonly logger?: Logger) {}

  async record(entry: AuditInput): Promise<void> {
    try {
      await this.repo.record(entry);
    } catch (err) {
      this.logger?.warn({ err, action: entry.action }, 'could not write the audit log');
    }
  }
}
