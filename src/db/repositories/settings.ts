import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../client.js';
import type { SettingsTable } from '../schema.js';
import { touched } from './mapping.js';

export interface SettingRecord {
  key: string;
  value: string;
  /** AList setting type: 'string', 'text', 'bool', 'number', 'select', ... */
  type: string;
  /** AList setting group. */
  groupId: number;
  /** AList flag: 0 public, 1 private, 2 readonly, 3 deprecated. */
  flag: number;
}

/** For upsert: fields left out keep their stored value (or the default on insert). */
export interface SettingInput {
  key: string;
  value: string;
  type?: string;
  groupId?: number;
  flag?: number;
}

function toRecord(row: Selectable<SettingsTable>): SettingRecord {
  return { key: row.key, value: row.value, type: row.type, groupId: row.group_id, flag: row.flag };
}

function changedColumns(item: SettingInput): Updateable<SettingsTable> {
  const columns: Updateable<SettingsTable> = { value: item.value };
  if (item.type !== undefined) columns.type = item.type;
  if (item.groupId !== undefined) columns.group_id = item.groupId;
  if (item.flag !== undefined) columns.flag = item.flag;
  return columns;
}

export class SettingRepository {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<SettingRecord | undefined> {
    const row = await this.db.selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** The settings that exist among `keys`, by key. */
  async getMany(keys: readonly string[]): Promise<Map<string, SettingRecord>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db.selectFrom('settings').selectAll().where('key', 'in', [...keys]).execute();
    return new Map(rows.map((row) => [row.key, toRecord(row)]));
  }

  /** Ordered by key; only one group when `groupId` is given. */
  async list(groupId?: number): Promise<SettingRecord[]> {
    let query = this.db.selectFrom('settings').selectAll().orderBy('key');
    if (groupId !== undefined) query = query.where('group_id', '=', groupId);
    return (await query.execute()).map(toRecord);
  }

  /** Inserts or updates every item, all in one transaction. */
  async upsert(items: readonly SettingInput[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const item of items) {
        const changed = changedColumns(item);
        await trx
          .insertInto('settings')
          .values({ ...changed, key: item.key })
          .onConflict((oc) => oc.column('key').doUpdateSet(changed))
          .execute();
      }
    });
  }

  /** Inserts the items whose key is not stored yet, leaving stored ones as they are (several instances may start at once). */
  async insertMissing(items: readonly SettingInput[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const item of items) {
        await trx
          .insertInto('settings')
          .values({ ...changedColumns(item), key: item.key })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
      }
    });
  }

  async remove(key: string): Promise<boolean> {
    return touched(await this.db.deleteFrom('settings').where('key', '=', key).executeTakeFirst());
  }
}
