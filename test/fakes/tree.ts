import { createHash, randomBytes } from 'node:crypto';

export interface FakeNode {
  id: string;
  parentId: string;
  name: string;
  type: 'file' | 'folder';
  data: Buffer;
  createdAt: Date;
  updatedAt: Date;
  /** Being uploaded: invisible until the upload completes. */
  pending: boolean;
  trashed: boolean;
}

/** An in-memory tree of files and folders with ids, as cloud drives keep them. */
export class FakeTree {
  readonly nodes = new Map<string, FakeNode>();

  /** `caseInsensitive`: names match regardless of case, as on OneDrive. */
  constructor(readonly rootId = 'root', readonly caseInsensitive = false) {
    const now = new Date();
    this.nodes.set(rootId, { id: rootId, parentId: '', name: '', type: 'folder', data: Buffer.alloc(0), createdAt: now, updatedAt: now, pending: false, trashed: false });
  }

  get(id: string): FakeNode | undefined {
    const n = this.nodes.get(id);
    return n && this.visible(n) ? n : undefined;
  }

  /** Any node, even pending (uploads address their file by id). */
  raw(id: string): FakeNode | undefined {
    return this.nodes.get(id);
  }

  private visible(n: FakeNode): boolean {
    for (let cur: FakeNode | undefined = n; cur; cur = cur.parentId ? this.nodes.get(cur.parentId) : undefined) {
      if (cur.pending || cur.trashed) return false;
    }
    return true;
  }

  children(parentId: string): FakeNode[] {
    return [...this.nodes.values()].filter((n) => n.parentId === parentId && !n.pending && !n.trashed).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The visible child of that name (the newest when there are several). */
  child(parentId: string, name: string): FakeNode | undefined {
    const fold = (s: string) => (this.caseInsensitive ? s.toLowerCase() : s);
    const all = this.children(parentId).filter((n) => fold(n.name) === fold(name));
    return all.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
  }

  byPath(path: string): FakeNode | undefined {
    let cur = this.get(this.rootId);
    for (const part of path.split('/').filter((p) => p !== '')) {
      if (!cur || cur.type !== 'folder') return undefined;
      cur = this.child(cur.id, part);
    }
    return cur;
  }

  create(parentId: string, name: string, type: 'file' | 'folder', o: { pending?: boolean; data?: Buffer; mtime?: Date } = {}): FakeNode {
    const now = new Date();
    const node: FakeNode = {
      id: randomBytes(10).toString('hex'),
      parentId,
      name,
      type,
      data: o.data ?? Buffer.alloc(0),
      createdAt: now,
      updatedAt: o.mtime ?? now,
      pending: o.pending ?? false,
      trashed: false,
    };
    this.nodes.set(node.id, node);
    return node;
  }

  remove(id: string): void {
    for (const c of [...this.nodes.values()].filter((n) => n.parentId === id)) this.remove(c.id);
    this.nodes.delete(id);
  }

  copy(id: string, parentId: string, name: string): FakeNode {
    const src = this.nodes.get(id);
    if (!src) throw new Error(`no node ${id}`);
    const dup = this.create(parentId, name, src.type, { data: Buffer.from(src.data) });
    for (const c of this.children(id)) this.copy(c.id, dup.id, c.name);
    return dup;
  }

  /** Whether `id` is `ancestor` or below it. */
  isWithin(id: string, ancestor: string): boolean {
    for (let cur: string | undefined = id; cur; cur = this.nodes.get(cur)?.parentId) if (cur === ancestor) return true;
    return false;
  }

  static sha1(data: Buffer): string {
    return createHash('sha1').update(data).digest('hex').toUpperCase();
  }
}
