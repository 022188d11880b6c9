import type { Kysely } from 'kysely';
import { sql } from '../kysely.js';
import type { Db } from '../client.js';

export interface DavPropsTable {
  path: string;
  parent: string;
  ns: string;
  name: string;
  value: string;
}

/** A WebDAV dead property: `{ns}name` on an absolute virtual path, its value as XML. */
export interface DavPropRecord {
  path: string;
  ns: string;
  name: string;
  value: string;
}

export type DavPropChange = { op: 'set'; ns: string; name: string; value: string } | { op: 'remove'; ns: string; name: string };

type PropsDb = Kysely<{ dav_props: DavPropsTable }>;

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function treeFilter(path: string) {
  const prefix = path === '/' ? '/' : path + '/';
  return sql<boolean>`(path = ${path} or substr(path, 1, ${prefix.length}) = ${prefix})`;
}

/** Dead properties (PROPPATCH), kept per path; moved, copied and deleted with their resources. */
export class DavPropRepository {
  private readonly db: PropsDb;

  constructor(db: Db) {
    this.db = db.withTables<{ dav_props: DavPropsTable }>() as unknown as PropsDb;
  }

  async forPath(path: string): Promise<DavPropRecord[]> {
    return this.db.selectFrom('dav_props').select(['path', 'ns', 'name', 'value']).where('path', '=', path).execute();
  }

  /** The properties of `dir` and of its direct children, in one indexed query. */
  async forFolder(dir: string): Promise<DavPropRecord[]> {
    return this.db
      .selectFrom('dav_props')
      .select(['path', 'ns', 'name', 'value'])
      .where((eb) => eb.or([eb('parent', '=', dir), eb('path', '=', dir)]))
      .execute();
  }

  /** Applies set/remove operations in document order, all or nothing. */
  async apply(path: string, changes: readonly DavPropChange[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const c of changes) {
        await trx.deleteFrom('dav_props').where('path', '=', path).where('ns', '=', c.ns).where('name', '=', c.name).execute();
        if (c.op === 'set') {
          await trx.insertInto('dav_props').values({ path, parent: parentOf(path), ns: c.ns, name: c.name, value: c.value }).execute();
        }
      }
    });
  }

  async removeTree(path: string): Promise<void> {
    await this.db.deleteFrom('dav_props').where(treeFilter(path)).execute();
  }

  /** Copies the properties of `from` and everything below it to `to`, replacing what `to` had. */
  async copyTree(from: string, to: string, options: { depthZero?: boolean } = {}): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('dav_props').where(treeFilter(to)).execute();
      const q = trx.selectFrom('dav_props').select(['path', 'ns', 'name', 'value']);
      const rows = await (options.depthZero ? q.where('path', '=', from) : q.where(treeFilter(from))).execute();
      for (const r of rows) {
        const path = to + r.path.slice(from.length);
        await trx.insertInto('dav_props').values({ path, parent: parentOf(path), ns: r.ns, name: r.name, value: r.value }).execute();
      }
    });
  }

  async moveTree(from: string, to: string): Promise<void> {
    await this.copyTree(from, to);
    await this.removeTree(from);
  }
}
