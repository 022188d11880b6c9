import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../client.js';
import { mapConstraintErrors } from '../errors.js';
import type { MetasTable } from '../schema.js';
import { bool, flag, num, pageWindow, pickDefined, touched, type Page, type PageOptions } from './mapping.js';

/** AList path meta: password, write permission, hidden names, readme and header per folder. */
export interface MetaRecord {
  id: number;
  path: string;
  password: string;
  pSub: boolean;
  write: boolean;
  wSub: boolean;
  /** Newline-separated patterns of names to hide. */
  hide: string;
  hSub: boolean;
  readme: string;
  rSub: boolean;
  header: string;
  headerSub: boolean;
}

export type MetaInput = { path: string } & Partial<Omit<MetaRecord, 'id' | 'path'>>;
export type MetaPatch = Partial<Omit<MetaRecord, 'id'>>;

function toRecord(row: Selectable<MetasTable>): MetaRecord {
  return {
    id: row.id,
    path: row.path,
    password: row.password,
    pSub: bool(row.p_sub),
    write: bool(row.write),
    wSub: bool(row.w_sub),
    hide: row.hide,
    hSub: bool(row.h_sub),
    readme: row.readme,
    rSub: bool(row.r_sub),
    header: row.header,
    headerSub: bool(row.header_sub),
  };
}

function toColumns(patch: MetaPatch): Updateable<MetasTable> {
  return pickDefined<MetaPatch, Updateable<MetasTable>>(patch, {
    path: (v) => ({ path: v }),
    password: (v) => ({ password: v }),
    pSub: (v) => ({ p_sub: flag(v) }),
    write: (v) => ({ write: flag(v) }),
    wSub: (v) => ({ w_sub: flag(v) }),
    hide: (v) => ({ hide: v }),
    hSub: (v) => ({ h_sub: flag(v) }),
    readme: (v) => ({ readme: v }),
    rSub: (v) => ({ r_sub: flag(v) }),
    header: (v) => ({ header: v }),
    headerSub: (v) => ({ header_sub: flag(v) }),
  });
}

export class MetaRepository {
  constructor(private readonly db: Db) {}

  /** Returns the new id. Throws ConflictError when a meta for the path exists. */
  async create(input: MetaInput): Promise<number> {
    const row = await mapConstraintErrors(
      () =>
        this.db
          .insertInto('metas')
          .values({ ...toColumns(input), path: input.path })
          .returning('id')
          .executeTakeFirstOrThrow(),
      { conflict: `a meta for "${input.path}" already exists` },
    );
    return row.id;
  }

  async get(id: number): Promise<MetaRecord | undefined> {
    const row = await this.db.selectFrom('metas').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getByPath(path: string): Promise<MetaRecord | undefined> {
    const row = await this.db.selectFrom('metas').selectAll().where('path', '=', path).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Ordered by path. Without options, every meta on one page. */
  async list(options?: PageOptions): Promise<Page<MetaRecord>> {
    let query = this.db.selectFrom('metas').selectAll().orderBy('path');
    if (options !== undefined) {
      const { limit, offset } = pageWindow(options);
      query = query.limit(limit).offset(offset);
    }
    const [rows, total] = await Promise.all([query.execute(), this.count()]);
    return { items: rows.map(toRecord), total };
  }

  /** Returns false when no such id. Throws ConflictError when moving onto a path that has a meta. */
  async update(id: number, patch: MetaPatch): Promise<boolean> {
    const columns = toColumns(patch);
    if (Object.keys(columns).length === 0) return (await this.get(id)) !== undefined;
    const result = await mapConstraintErrors(
      () => this.db.updateTable('metas').set(columns).where('id', '=', id).executeTakeFirst(),
      { conflict: `a meta for "${patch.path ?? ''}" already exists` },
    );
    return touched(result);
  }

  async remove(id: number): Promise<boolean> {
    return touched(await this.db.deleteFrom('metas').where('id', '=', id).executeTakeFirst());
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('metas')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return num(row.n);
  }
}
