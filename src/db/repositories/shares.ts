import type { Selectable, Updateable } from 'kysely';
import { sql } from '../kysely.js';
import type { Db } from '../client.js';
import { mapConstraintErrors } from '../errors.js';
import type { SharesTable } from '../schema.js';
import { bool, flag, isoDate, num, optionalIso, pageWindow, parseDate, parseOptionalDate, pickDefined, touched, type Page, type PageOptions } from './mapping.js';

/** A share: files or folders of its creator's tree, reachable by its id (OpenList's model). */
export interface ShareRecord {
  id: string;
  /** Absolute virtual paths shared. */
  files: string[];
  expiresAt: Date | null;
  /** The share's own password ('' for none). */
  pwd: string;
  accessed: number;
  /** 0: no limit. */
  maxAccessed: number;
  creatorId: number;
  disabled: boolean;
  remark: string;
  readme: string;
  header: string;
  orderBy: string;
  orderDirection: string;
  extractFolder: string;
  /** Fingerprints of the folder passwords that guarded the files when the share was made. */
  guards: string[];
  createdAt: Date;
}

export type ShareInput = Omit<ShareRecord, 'accessed' | 'createdAt'> & { accessed?: number };
export type SharePatch = Partial<Omit<ShareRecord, 'id' | 'createdAt'>>;

function strings(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function toRecord(row: Selectable<SharesTable>): ShareRecord {
  return {
    id: row.id,
    files: strings(row.files),
    expiresAt: parseOptionalDate(row.expires_at),
    pwd: row.pwd,
    accessed: num(row.accessed),
    maxAccessed: num(row.max_accessed),
    creatorId: num(row.creator_id),
    disabled: bool(row.disabled),
    remark: row.remark,
    readme: row.readme,
    header: row.header,
    orderBy: row.order_by,
    orderDirection: row.order_direction,
    extractFolder: row.extract_folder,
    guards: strings(row.guards),
    createdAt: parseDate(row.created_at),
  };
}

function toColumns(patch: SharePatch): Updateable<SharesTable> {
  return pickDefined<SharePatch, Updateable<SharesTable>>(patch, {
    files: (v) => ({ files: JSON.stringify(v) }),
    expiresAt: (v) => ({ expires_at: optionalIso(v) }),
    pwd: (v) => ({ pwd: v }),
    accessed: (v) => ({ accessed: v }),
    maxAccessed: (v) => ({ max_accessed: v }),
    creatorId: (v) => ({ creator_id: v }),
    disabled: (v) => ({ disabled: flag(v) }),
    remark: (v) => ({ remark: v }),
    readme: (v) => ({ readme: v }),
    header: (v) => ({ header: v }),
    orderBy: (v) => ({ order_by: v }),
    orderDirection: (v) => ({ order_direction: v }),
    extractFolder: (v) => ({ extract_folder: v }),
    guards: (v) => ({ guards: JSON.stringify(v) }),
  });
}

export class ShareRepository {
  constructor(private readonly db: Db) {}

  /** Throws ConflictError when the id is taken. */
  async create(input: ShareInput, now = new Date()): Promise<void> {
    await mapConstraintErrors(
      () =>
        this.db
          .insertInto('shares')
          .values({ ...toColumns(input), id: input.id, files: JSON.stringify(input.files), creator_id: input.creatorId, created_at: isoDate(now) })
          .execute(),
      { conflict: `a share with id "${input.id}" already exists` },
    );
  }

  async get(id: string): Promise<ShareRecord | undefined> {
    const row = await this.db.selectFrom('shares').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Every share, or the shares of one creator, newest first. */
  async list(options: PageOptions & { creatorId?: number }): Promise<Page<ShareRecord>> {
    const { limit, offset } = pageWindow(options);
    let q = this.db.selectFrom('shares');
    if (options.creatorId !== undefined) q = q.where('creator_id', '=', options.creatorId);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toRecord), total: num(count.n) };
  }

  /** Returns false when no share has this id. A new id is given with `newId` (visits follow it). */
  async update(id: string, patch: SharePatch & { newId?: string }): Promise<boolean> {
    const { newId, ...rest } = patch;
    const columns = { ...toColumns(rest), ...(newId !== undefined && newId !== id ? { id: newId } : {}) };
    if (Object.keys(columns).length === 0) return (await this.get(id)) !== undefined;
    const r = await mapConstraintErrors(() => this.db.updateTable('shares').set(columns).where('id', '=', id).executeTakeFirst(), {
      conflict: `a share with id "${newId ?? id}" already exists`,
    });
    return touched(r);
  }

  async delete(id: string): Promise<boolean> {
    await this.db.deleteFrom('share_visits').where('share_id', '=', id).execute();
    return touched(await this.db.deleteFrom('shares').where('id', '=', id).executeTakeFirst());
  }

  /**
   * Counts a visit: a visitor already counted and still within its visit is let in again;
   * a new one is counted when the share's limit allows, and refused (false) when it does not.
   * The check and the count are one statement, so two visitors can never both take the last access.
   */
  async visit(id: string, visitor: string, until: Date, now = new Date()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const had = await trx.selectFrom('share_visits').select('until').where('share_id', '=', id).where('visitor', '=', visitor).executeTakeFirst();
      if (had && parseDate(had.until) > now) return true;
      const counted = await trx
        .updateTable('shares')
        .set({ accessed: sql<number>`accessed + 1` })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('max_accessed', '<=', 0), eb('accessed', '<', eb.ref('max_accessed'))]))
        .executeTakeFirst();
      if (!touched(counted)) return false;
      if (had) await trx.updateTable('share_visits').set({ until: isoDate(until) }).where('share_id', '=', id).where('visitor', '=', visitor).execute();
      else await trx.insertInto('share_visits').values({ share_id: id, visitor, until: isoDate(until) }).execute();
      return true;
    });
  }

  /** Forgets visits that have ended. */
  async pruneVisits(now = new Date()): Promise<void> {
    await this.db.deleteFrom('share_visits').where('until', '<=', isoDate(now)).execute();
  }
}
