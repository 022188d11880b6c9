import type { Readable } from 'node:stream';
import type { Driver, Entry, Link, ReadOptions, ReadResult } from './storage/index.js';
import { FsError, isFsError } from './errors.js';
import { isUpstreamFailure } from './guard.js';
import type { Mount } from './mount.js';
import type { MountTable, Resolved } from './mount-table.js';
import { baseName, checkName, isWithin, joinPath, normalizePath, parentPath } from './paths.js';
import type { VEntry } from './entries.js';
import { copyTree } from './transfer.js';

export type { VEntry } from './entries.js';

export interface ListResult {
  entries: VEntry[];
  provider: string;
  /** Set when the upstream failed and this is the last good listing, from that time. */
  stale?: Date;
}

export interface WriteRequest {
  size?: number;
  mtime?: Date;
  signal?: AbortSignal;
  /** Default true; false fails with already_exists when the target exists. */
  overwrite?: boolean;
  /** Default true; false fails with conflict when the parent folder is missing (WebDAV's 409). */
  createParents?: boolean;
}

export interface TransferRequest {
  overwrite?: boolean;
  signal?: AbortSignal;
}

const UNKNOWN = 'unknown';

/**
 * A change this instance made below a mount: `rel` is the driver-relative path whose listing (and
 * those above it) other instances should forget; `tree` when everything below it changed too.
 */
export interface FsChange {
  storageId: number;
  rel: string;
  tree: boolean;
}

/**
 * What a change made through this file system did, in virtual paths, told after it succeeded
 * (the search index keeps itself true with these): `put` a file written or a folder made (its
 * entry), `remove` a tree removed, `move`/`copy` a tree the storage moved or copied itself
 * (streamed copies are told as their puts), `listed` a folder's listing freshly read from its
 * storage (not one served from the cache).
 */
export type FsEvent =
  | { kind: 'put'; storageId: number; entry: VEntry }
  | { kind: 'remove'; storageId: number; path: string }
  | { kind: 'move' | 'copy'; storageId: number; from: string; to: string }
  | { kind: 'listed'; storageId: number; path: string; entries: readonly VEntry[] };

export interface VirtualFsOptions {
  /** Told after every change, so other instances sharing the storages can drop their copies. */
  onChange?: (change: FsChange) => void;
  /** Told of every change made through this file system and of every fresh listing (it must not throw). */
  onEvent?: (event: FsEvent) => void;
}

/**
 * The one file system every front door uses. Resolves virtual paths to mounts, merges mount
 * points into listings as virtual folders, caches listings per mount and streams across mounts.
 */
export class VirtualFs {
  constructor(
    private readonly table: MountTable,
    private readonly options: VirtualFsOptions = {},
  ) {}

  /**
   * Forgets what this instance has cached about `rel` in the storage (listings of it, below it
   * with `tree`, and above it; links; known folders): another instance changed it.
   */
  forgetChanged(change: FsChange): void {
    const mount = this.table.all().find((m) => m.spec.id === change.storageId);
    if (mount) this.forget(mount, change.rel, change.tree);
  }

  /** Forgets every cached listing, link and known folder (changes elsewhere may have been missed). */
  forgetAll(): void {
    for (const mount of this.table.all()) this.forget(mount, '', true);
  }

  /**
   * Forgets a mount's links and known folders, the listing of `rel` (and everything below it with
   * `tree`) and the listings above it.
   */
  private forget(mount: Mount, rel: string, tree: boolean): void {
    mount.links.clear();
    mount.knownDirs.clear();
    if (tree) mount.cache.invalidateTree(rel);
    else mount.cache.invalidate(rel);
    this.invalidateUp(mount, rel);
  }

  private changed(mount: Mount, rel: string, tree: boolean): void {
    this.options.onChange?.({ storageId: mount.spec.id, rel, tree });
  }

  private emit(event: FsEvent): void {
    this.options.onEvent?.(event);
  }

  async stat(path: string): Promise<VEntry> {
    const e = await this.lookup(path);
    if (!e) throw notFound(normalizePath(path));
    return e;
  }

  /**
   * Like `stat`, but a path that does not exist is undefined rather than not_found: the question
   * every write asks first, answered without building an error when a cached listing knows.
   */
  async lookup(path: string): Promise<VEntry | undefined> {
    const p = normalizePath(path);
    const r = this.table.resolve(p);
    if (!r) return p === '/' || this.table.hasMountsBelow(p) ? virtualDir(p, UNKNOWN) : undefined;
    if (r.rel === '') return virtualDir(p, r.mount.spec.driverId, r.mount.spec.modified, false);
    const known = r.mount.cache.lookup(parentRel(r.rel), baseName(p));
    if (known === null) return this.table.hasMountsBelow(p) ? virtualDir(p, UNKNOWN) : undefined;
    if (known) return known.path === p ? known : { ...known, path: p };
    try {
      const e = await r.mount.driver().stat(r.rel);
      return vEntry(e, baseName(p), p, r.mount.spec.driverId);
    } catch (err) {
      const i = r.rel.lastIndexOf('/');
      const hit = staleFallback(r.mount, i < 0 ? '' : r.rel.slice(0, i), err)?.entries.find((e) => e.name === baseName(p));
      if (hit) return { ...hit, stale: true };
      const missing = isFsError(err) && (err.code === 'not_found' || err.code === 'storage_unavailable');
      if (missing && this.table.hasMountsBelow(p)) return virtualDir(p, UNKNOWN);
      if (isFsError(err, 'not_found')) return undefined;
      throw err;
    }
  }

  /** Whether `path` is a folder, from a short memo of folders seen when it has one. */
  async isFolder(path: string): Promise<boolean> {
    const r = this.resolve(path);
    if (r && (r.rel === '' || r.mount.knownDirs.has(r.rel))) return true;
    const e = await this.lookup(path);
    if (e?.isDir && r) r.mount.knownDirs.set(r.rel, true);
    return e?.isDir === true;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.lookup(path)) !== undefined;
  }

  async list(path: string, options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ListResult> {
    const p = normalizePath(path);
    const r = this.table.resolve(p);
    const children = this.table.children(p);
    let entries: VEntry[] = [];
    let provider = UNKNOWN;
    let stale: Date | undefined;
    if (r) {
      try {
        const d = r.mount.driver();
        provider = r.mount.spec.driverId;
        const load = async () => {
          const loaded = await collect(d.list(r.rel, { signal: options.signal }), p, provider);
          this.emit({ kind: 'listed', storageId: r.mount.spec.id, path: p, entries: loaded });
          return loaded;
        };
        entries = await r.mount.cache.get(r.rel, load, options);
      } catch (err) {
        const last = staleFallback(r.mount, r.rel, err);
        if (last) {
          [entries, stale, provider] = [last.entries, last.at, r.mount.spec.driverId];
        } else if (children.length === 0) {
          throw err;
        }
      }
    } else if (children.length === 0 && p !== '/') {
      throw notFound(p);
    }
    if (children.length > 0) entries = mergeVirtual(p, entries, children);
    return stale ? { entries, provider, stale } : { entries, provider };
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { mount, rel, p } = this.resolveInside(path);
    if (rel === '') throw new FsError('is_a_directory', `${p} is a folder`);
    return mount.driver().read(rel, options);
  }

  /**
   * A direct link for a file, reused while it has more than a minute left; when the driver cannot
   * give one now (upstream failing, rate limited), a cached link that is still valid is used.
   */
  async link(path: string): Promise<Link | undefined> {
    const { mount, rel } = this.resolveInside(path);
    const cached = mount.links.get(rel);
    if (cached?.expiresAt && cached.expiresAt.getTime() - Date.now() > 60_000) return cached;
    try {
      const d = mount.driver();
      if (!d.link) return undefined;
      const link = await d.link(rel);
      if (link.expiresAt) mount.links.set(rel, link);
      return link;
    } catch (err) {
      if (cached?.expiresAt && cached.expiresAt.getTime() > Date.now() && isUpstreamFailure(err)) {
        mount.markStale();
        return cached;
      }
      throw err;
    }
  }

  async write(path: string, body: Readable, req: WriteRequest = {}): Promise<VEntry> {
    const { mount, rel, p } = this.resolveInside(path);
    if (rel === '') throw new FsError('is_a_directory', `${p} is a mount point`);
    const d = mount.driver();
    if (!d.write) throw new FsError('not_supported', `storage at ${mount.path} does not support upload`);
    // The common case (overwrite, create parents) needs no look-up before the driver's atomic write.
    if (req.overwrite === false || req.createParents === false) {
      const existing = await this.lookup(p);
      if (existing?.isDir) throw new FsError('is_a_directory', `${p} is a folder`);
      if (existing && req.overwrite === false) throw new FsError('already_exists', `${p} already exists`);
      if (!existing) await this.checkParent(p, req.createParents ?? true);
    }
    const e = await d.write(rel, body, { size: req.size, mtime: req.mtime, signal: req.signal });
    mount.links.delete(rel);
    const written = vEntry(e, baseName(p), p, mount.spec.driverId);
    // The folder's cached listing takes the new entry; with none cached, ancestors are forgotten.
    const dir = parentRel(rel);
    if (!mount.cache.upsert(dir, written)) this.invalidateUp(mount, rel);
    // Elsewhere, the folder's listing (not the file) is what changed.
    this.changed(mount, dir, false);
    this.emit({ kind: 'put', storageId: mount.spec.id, entry: written });
    return written;
  }

  /**
   * Creates a folder (and missing parents unless `createParents` is false). With `fresh`, the
   * caller has just seen that nothing was there, so the new folder is known empty: its listing is
   * cached as such and uploads into it need no look-ups upstream.
   */
  async mkdir(path: string, options: { createParents?: boolean; fresh?: boolean } = {}): Promise<void> {
    const { mount, rel, p } = this.resolveInside(path);
    if (rel === '') return;
    const d = mount.driver();
    if (!d.mkdir) throw new FsError('not_supported', `storage at ${mount.path} does not support folders`);
    if (options.createParents === false) await this.checkParent(p, false);
    const since = mount.cache.mark();
    await d.mkdir(rel);
    mount.knownDirs.set(rel, true);
    const made: VEntry = { name: baseName(p), path: p, isDir: true, size: 0, mtime: new Date(), provider: mount.spec.driverId };
    if (!mount.cache.upsert(parentRel(rel), made)) this.invalidateUp(mount, rel);
    // Known empty only if nothing was written into it meanwhile (another request may have made it
    // too and already uploaded into it) and nobody cached its listing first.
    if (options.fresh) mount.cache.seedIfUnchanged(rel, [], since);
    this.changed(mount, parentRel(rel), false);
    this.emit({ kind: 'put', storageId: mount.spec.id, entry: made });
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const { mount, rel, p } = this.resolveInside(path);
    if (rel === '') throw new FsError('permission_denied', `${p} is a mount point; disable or delete the storage instead`);
    const d = mount.driver();
    if (!d.remove) throw new FsError('not_supported', `storage at ${mount.path} does not support removal`);
    await d.remove(rel, { recursive: options.recursive ?? true });
    this.forget(mount, rel, true);
    this.changed(mount, rel, true);
    this.emit({ kind: 'remove', storageId: mount.spec.id, path: p });
  }

  async rename(path: string, newName: string): Promise<string> {
    checkName(newName);
    const p = normalizePath(path);
    const target = joinPath(parentPath(p), newName);
    await this.move(p, target);
    return target;
  }

  /** Moves `src` to the full path `dst`; across mounts by copying first, removing the source last. */
  async move(src: string, dst: string, req: TransferRequest = {}): Promise<void> {
    const { s, t, rs, rt } = await this.prepareTransfer(src, dst, req);
    if (s === t) return;
    const d = rs.mount.driver();
    if (rs.mount === rt.mount && d.move) {
      try {
        await d.move(rs.rel, rt.rel);
        this.afterTransfer(rs, rt, true);
        this.emit({ kind: 'move', storageId: rt.mount.spec.id, from: s, to: t });
        return;
      } catch (err) {
        if (!isFsError(err, 'not_supported')) throw err;
      }
    }
    await copyTree(this, s, t, req.signal);
    await this.remove(s, { recursive: true });
    this.afterTransfer(rs, rt, true);
  }

  /** Copies `src` to the full path `dst`; by the driver when it can, else by streaming. */
  async copy(src: string, dst: string, req: TransferRequest = {}): Promise<void> {
    const { s, t, rs, rt } = await this.prepareTransfer(src, dst, req);
    if (s === t) throw new FsError('conflict', 'source and destination are the same');
    const d = rs.mount.driver();
    if (rs.mount === rt.mount && d.copy) {
      try {
        await d.copy(rs.rel, rt.rel);
        this.afterTransfer(rs, rt, false);
        this.emit({ kind: 'copy', storageId: rt.mount.spec.id, from: s, to: t });
        return;
      } catch (err) {
        if (!isFsError(err, 'not_supported')) throw err;
      }
    }
    await copyTree(this, s, t, req.signal);
    this.afterTransfer(rs, rt, false);
  }

  /** The mount and driver-relative path for `path`; not_found when no mount covers it. */
  resolve(path: string): (Resolved & { p: string }) | undefined {
    const p = normalizePath(path);
    const r = this.table.resolve(p);
    return r ? { mount: r.mount, rel: r.rel, p } : undefined;
  }

  /** The mount that serves `path`, if any (for its policy and state). */
  mountOf(path: string): Mount | undefined {
    return this.resolve(path)?.mount;
  }

  private resolveInside(path: string): Resolved & { p: string } {
    const r = this.resolve(path);
    if (!r) throw notFound(normalizePath(path));
    return r;
  }

  private async checkParent(p: string, createParents: boolean): Promise<void> {
    if (await this.isFolder(parentPath(p))) return;
    const parent = await this.lookup(parentPath(p));
    if (parent && !parent.isDir) throw new FsError('not_a_directory', `${parentPath(p)} is not a folder`);
    if (!parent && !createParents) throw new FsError('conflict', `parent folder ${parentPath(p)} does not exist`);
  }

  private async prepareTransfer(src: string, dst: string, req: TransferRequest) {
    const s = normalizePath(src);
    const t = normalizePath(dst);
    if (s !== t && isWithin(t, s)) throw new FsError('invalid_path', 'cannot move or copy a folder into itself');
    const rs = this.resolveInside(s);
    const rt = this.resolveInside(t);
    if (rs.rel === '') throw new FsError('permission_denied', `${s} is a mount point`);
    if (rt.rel === '') throw new FsError('already_exists', `${t} is a mount point`);
    await this.stat(s);
    if (s !== t && (await this.exists(t))) {
      if (!req.overwrite) throw new FsError('already_exists', `${t} already exists`);
      await this.remove(t, { recursive: true });
    }
    return { s, t, rs, rt };
  }

  private afterTransfer(rs: Resolved, rt: Resolved, moved: boolean): void {
    if (moved) {
      this.forget(rs.mount, rs.rel, true);
      this.changed(rs.mount, rs.rel, true);
    }
    rt.mount.cache.invalidateTree(rt.rel);
    this.invalidateUp(rt.mount, rt.rel);
    this.changed(rt.mount, rt.rel, true);
  }

  /** Forgets the cached listings of every folder above `rel` in the mount. */
  private invalidateUp(mount: Mount, rel: string): void {
    let dir = rel;
    while (dir !== '') {
      const i = dir.lastIndexOf('/');
      dir = i < 0 ? '' : dir.slice(0, i);
      mount.cache.invalidate(dir);
    }
  }
}

/** Reads a driver listing into VEntries once; names from a driver are single segments, so paths are joined directly. */
function parentRel(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/** The last good listing to serve when the upstream failed (not when the request was wrong). */
function staleFallback(mount: Mount, rel: string, err: unknown): { entries: VEntry[]; at: Date } | undefined {
  if (!isUpstreamFailure(err)) return undefined;
  const last = mount.cache.stale(rel);
  if (last) mount.markStale();
  return last;
}

async function collect(it: AsyncIterable<Entry>, dir: string, provider: string): Promise<VEntry[]> {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const out: VEntry[] = [];
  for await (const e of it) {
    const v = e as VEntry;
    v.path = prefix + e.name;
    v.provider = provider;
    out.push(v);
  }
  return out;
}

/**
 * A driver's entry as core presents it, built field by field: an object spread here cost more
 * than the rest of a small upload's bookkeeping.
 */
function vEntry(e: Entry, name: string, path: string, provider: string): VEntry {
  const v: VEntry = { name, isDir: e.isDir, size: e.size, path, provider };
  if (e.mtime) v.mtime = e.mtime;
  if (e.ctime) v.ctime = e.ctime;
  if (e.hashes) v.hashes = e.hashes;
  return v;
}

function virtualDir(p: string, provider: string, mtime?: Date, virtual = true): VEntry {
  return { name: baseName(p), path: p, isDir: true, size: 0, mtime, provider, virtual };
}

function mergeVirtual(dir: string, entries: VEntry[], children: ReturnType<MountTable['children']>): VEntry[] {
  const names = new Set(children.map((c) => c.name));
  const kept = entries.filter((e) => !names.has(e.name));
  const virtual = children.map((c) => ({
    ...virtualDir(joinPath(dir, c.name), c.mount?.spec.driverId ?? UNKNOWN, c.modified),
  }));
  return [...virtual, ...kept];
}

function notFound(p: string): FsError {
  return new FsError('not_found', `${p}: no storage is mounted here`);
}

export type { ByteRange, Entry, Link, ReadResult } from './storage/index.js';
