import type { Generated, Kysely } from 'kysely';
import type { Db } from '../client.js';
import type { DB } from '../schema.js';
import { type Page, type PageOptions, isoDate, num, pageWindow, parseDate } from './mapping.js';

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  user_id: number | null;
  username: string;
  ip: string;
  action: string;
  target: string;
  detail: string;
}

export interface AuditInput {
  at?: Date;
  userId?: number | null;
  username?: string;
  ip?: string;
  /** Dotted and stable, e.g. `login`, `login.failed`, `storage.create`, `token.revoke`. */
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

export interface AuditRecord {
  id: number;
  at: Date;
  userId: number | null;
  username: string;
  ip: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Append-only rows of who did what, from where. */
export class AuditRepository {
  private readonly db: Kysely<DB & { audit_log: AuditLogTable }>;

  constructor(db: Db) {
    this.db = db.withTables<{ audit_log: AuditLogTable }>();
  }

  async record(input: AuditInput): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: isoDate(input.at ?? new Date()),
        user_id: input.userId ?? null,
        username: (input.username ?? '').slice(0, 200),
        ip: (input.ip ?? '').slice(0, 100),
        action: input.action.slice(0, 100),
        target: (input.target ?? '').slice(0, 1000),
        detail: JSON.stringify(input.detail ?? {}).slice(0, 4000),
      })
      .execute();
  }

  /** Deletes the entries older than `cutoff`; returns how many. */
  async pruneBefore(cutoff: Date): Promise<number> {
    const res = await this.db.deleteFrom('audit_log').where('at', '<', isoDate(cutoff)).executeTakeFirst();
    return num(res.numDeletedRows ?? 0);
  }

  /** Newest first. */
  async list(options: PageOptions): Promise<Page<AuditRecord>> {
    const { limit, offset } = pageWindow(options);
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
    const count = await this.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const items = rows.map((r) => ({
      id: r.id,
      at: parseDate(r.at),
      userId: r.user_id,
      username: r.username,
      ip: r.ip,
      action: r.action,
      target: r.target,
      detail: parseDetail(r.detail),
    }));
    return { items, total: num(count.n) };
  }
}
