import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../client.js';
import { mapConstraintErrors } from '../errors.js';
import type { StoragesTable } from '../schema.js';
import { bool, flag, isoDate, num, parseDate, pickDefined, touched } from './mapping.js';

export interface StorageRecord {
  id: number;
  mountPath: string;
  /** "order" in the AList API. */
  order: number;
  driver: string;
  /** Minutes. */
  cacheExpiration: number;
  /** Driver options as a JSON text. */
  addition: string;
  remark: string;
  modified: Date;
  disabled: boolean;
  enableSign: boolean;
  orderBy: string;
  orderDirection: string;
  extractFolder: string;
  webProxy: boolean;
  webdavPolicy: string;
  downProxyUrl: string;
  /** Incremented on every configuration change (not on saveState). */
  configVersion: number;
}

export interface StorageInput {
  mountPath: string;
  driver: string;
  order?: number;
  cacheExpiration?: number;
  addition?: string;
  remark?: string;
  disabled?: boolean;
  enableSign?: boolean;
  orderBy?: string;
  orderDirection?: string;
  extractFolder?: string;
  webProxy?: boolean;
  webdavPolicy?: string;
  downProxyUrl?: string;
}

export type StoragePatch = Partial<StorageInput>;

export interface SaveStateOptions {
  /** Compare-and-swap: only write when the stored state is still exactly this text. */
  expected?: string;
}

type Row = Selectable<StoragesTable>;

const SELECTED = [
  'id', 'mount_path', 'order_index', 'driver', 'cache_expiration', 'addition', 'remark', 'modified',
  'disabled', 'enable_sign', 'order_by', 'order_direction', 'extract_folder', 'web_proxy',
  'webdav_policy', 'down_proxy_url', 'config_version',
] as const;

function toRecord(row: Omit<Row, 'state_json'>): StorageRecord {
  return {
    id: row.id,
    mountPath: row.mount_path,
    order: row.order_index,
    driver: row.driver,
    cacheExpiration: row.cache_expiration,
    addition: row.addition,
    remark: row.remark,
    modified: parseDate(row.modified),
    disabled: bool(row.disabled),
    enableSign: bool(row.enable_sign),
    orderBy: row.order_by,
    orderDirection: row.order_direction,
    extractFolder: row.extract_folder,
    webProxy: bool(row.web_proxy),
    webdavPolicy: row.webdav_policy,
    downProxyUrl: row.down_proxy_url,
    configVersion: row.config_version,
  };
}

function toColumns(patch: StoragePatch): Updateable<StoragesTable> {
  return pickDefined<StoragePatch, Updateable<StoragesTable>>(patch, {
    mountPath: (v) => ({ mount_path: v }),
    driver: (v) => ({ driver: v }),
    order: (v) => ({ order_index: v }),
    cacheExpiration: (v) => ({ cache_expiration: v }),
    addition: (v) => ({ addition: v }),
    remark: (v) => ({ remark: v }),
    disabled: (v) => ({ disabled: flag(v) }),
    enableSign: (v) => ({ enable_sign: flag(v) }),
    orderBy: (v) => ({ order_by: v }),
    orderDirection: (v) => ({ order_direction: v }),
    extractFolder: (v) => ({ extract_folder: v }),
    webProxy: (v) => ({ web_proxy: flag(v) }),
    webdavPolicy: (v) => ({ webdav_policy: v }),
    downProxyUrl: (v) => ({ down_proxy_url: v }),
  });
}

export class StorageRepository {
  constructor(private readonly db: Db) {}

  /** Ordered by order, then mount path. */
  async list(): Promise<StorageRecord[]> {
    const rows = await this.db
      .selectFrom('storages')
      .select(SELECTED)
      .orderBy('order_index')
      .orderBy('mount_path')
      .execute();
    return rows.map(toRecord);
  }

  async get(id: number): Promise<StorageRecord | undefined> {
    const row = await this.db.selectFrom('storages').select(SELECTED).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getByMountPath(mountPath: string): Promise<StorageRecord | undefined> {
    const row = await this.db
      .selectFrom('storages')
      .select(SELECTED)
      .where('mount_path', '=', mountPath)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Returns the new id. Throws ConflictError when the mount path is taken. */
  async create(input: StorageInput): Promise<number> {
    const values: Insertable<StoragesTable> = {
      ...toColumns(input),
      mount_path: input.mountPath,
      driver: input.driver,
      modified: isoDate(new Date()),
    };
    const row = await mapConstraintErrors(
      () => this.db.insertInto('storages').values(values).returning('id').executeTakeFirstOrThrow(),
      { conflict: `a storage is already mounted at "${input.mountPath}"` },
    );
    return row.id;
  }

  /**
   * Applies the patch, bumps config_version and sets modified. Returns false when no such id.
   * Throws ConflictError when the new mount path is taken.
   */
  async update(id: number, patch: StoragePatch): Promise<boolean> {
    const result = await mapConstraintErrors(
      () =>
        this.db
          .updateTable('storages')
          .set(toColumns(patch))
          .set((eb) => ({ config_version: eb('config_version', '+', 1), modified: isoDate(new Date()) }))
          .where('id', '=', id)
          .executeTakeFirst(),
      { conflict: `a storage is already mounted at "${patch.mountPath ?? ''}"` },
    );
    return touched(result);
  }

  async setDisabled(id: number, disabled: boolean): Promise<boolean> {
    return this.update(id, { disabled });
  }

  async remove(id: number): Promise<boolean> {
    return touched(await this.db.deleteFrom('storages').where('id', '=', id).executeTakeFirst());
  }

  /** The persisted driver state (JSON text, '{}' when never saved), or undefined when no such id. */
  async loadState(id: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('storages').select('state_json').where('id', '=', id).executeTakeFirst();
    return row?.state_json;
  }

  /**
   * Writes the driver state in one single-row update. Does not bump config_version, so a
   * token rotation never looks like a configuration change. Returns false when no such id
   * (or, with `expected`, when the stored state changed meanwhile).
   */
  async saveState(id: number, json: string, options: SaveStateOptions = {}): Promise<boolean> {
    let query = this.db.updateTable('storages').set({ state_json: json }).where('id', '=', id);
    if (options.expected !== undefined) query = query.where('state_json', '=', options.expected);
    return touched(await query.executeTakeFirst());
  }

  /**
   * A cheap fingerprint ("count:maxId:maxVersion:sumVersion") that changes whenever any storage
   * row is added, removed or changed (config_version bumps), also from another connection or
   * process. Sound because ids are never reused (AUTOINCREMENT / serial) and versions only grow.
   * saveState() does not change it. Compare with the last value seen; never parse it.
   */
  async changeStamp(): Promise<string> {
    const row = await this.db
      .selectFrom('storages')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('count'),
        eb.fn.max<number | null>('id').as('max_id'),
        eb.fn.max<number | null>('config_version').as('max_version'),
        eb.fn.sum<number | string | null>('config_version').as('sum_version'),
      ])
      .executeTakeFirstOrThrow();
    return [row.count, row.max_id, row.max_version, row.sum_version].map((v) => num(v)).join(':');
  }
}
