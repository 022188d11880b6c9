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

/** How often old audit entries are pruned while the server runs. */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Keeps the audit log to `days` days: prunes at start and hourly (every instance of a cluster
 * may; the deletes are idempotent). `days` 0 keeps everything. A failed prune is logged and
 * retried at the next turn; it never stops the server.
 */
export class AuditRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: AuditRepository,
    private readonly days: number,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    if (this.days <= 0) return;
    await this.prune();
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes entries older than the retention; returns how many (0 after a failure). */
  async prune(): Promise<number> {
    try {
      const removed = await this.repo.pruneBefore(new Date(this.now() - this.days * 86_400_000));
      if (removed > 0) this.logger?.info({ removed, days: this.days }, 'audit log pruned');
      return removed;
    } catch (err) {
      this.logger?.warn({ err }, 'audit log could not be pruned; will try again');
      return 0;
    }
  }
}
