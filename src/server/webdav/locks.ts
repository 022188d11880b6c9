import { randomUUID } from 'node:crypto';
import { isFsError } from '../../core/errors.js';
import { isWithin, parentPath } from '../../core/paths.js';
import type { DavLockRecord, DavLockRepository } from '../../db/repositories/index.js';
import { etagOf } from '../http/serve-file.js';
import { type DavRequest, header, hrefOf, pathFromReference } from './context.js';
import { DavError } from './errors.js';
import { type IfList, parseIfHeader, sameEtag, submittedTokens } from './if-header.js';
import { escapeXml } from './xml.js';

/** Longest lock lifetime granted (also for "Infinite"), and the default when none is asked. */
export const MAX_LOCK_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LOCK_SECONDS = 3600;

/** A resource a request changes, and how far a lock on it or around it reaches. */
export interface LockTarget {
  path: string;
  /** The whole subtree changes (DELETE or MOVE of a collection, overwrite): locks below count. */
  tree?: boolean;
  /** The parent's membership changes (create, delete, move): the parent's own lock counts. */
  membership?: boolean;
}

export function newLockToken(): string {
  return `opaquelocktoken:${randomUUID()}`;
}

export function covers(lock: DavLockRecord, path: string): boolean {
  return lock.root === path || (lock.depth === 'infinity' && isWithin(path, lock.root));
}

/** Parses a Timeout header ("Second-600", "Infinite, Second-4100000000"). */
export function parseTimeout(value: string | undefined): number {
  if (!value) return DEFAULT_LOCK_SECONDS;
  for (const part of value.split(',').map((s) => s.trim())) {
    if (/^infinite$/i.test(part)) return MAX_LOCK_SECONDS;
    const m = /^second-(\d+)$/i.exec(part);
    if (m?.[1]) return Math.max(1, Math.min(Number(m[1]), MAX_LOCK_SECONDS));
  }
  return DEFAULT_LOCK_SECONDS;
}

/**
 * An in-memory copy of the unexpired locks, read again after any change: a write checks its
 * locks without a query (there are few locks, and most of the time none). Changes made here are
 * seen at once; changes by other instances through the database's change notifications.
 */
export class LockSnapshot {
  private locks: DavLockRecord[] | undefined;
  private generation = 0;
  private loading: { generation: number; promise: Promise<DavLockRecord[]> } | undefined;

  constructor(private readonly repo: DavLockRepository) {
    repo.onChange(() => this.invalidate());
  }

  invalidate(): void {
    this.generation++;
    this.locks = undefined;
  }

  /** The unexpired locks (as of the last change; expiry is checked by the caller's clock). */
  async all(): Promise<DavLockRecord[]> {
    if (this.locks) return this.locks;
    const generation = this.generation;
    if (this.loading?.generation !== generation) {
      const promise = this.repo.allUnexpired();
      this.loading = { generation, promise };
      promise.then(
        (locks) => {
          if (this.generation === generation) this.locks = locks;
        },
        // A failed read is tried again by the next caller.
        () => {
          if (this.loading?.promise === promise) this.loading = undefined;
        },
      );
    }
    return this.loading.promise;
  }
}

/** Locks as WebDAV sees them: the If header, lock checks before writes, lock discovery XML. */
export class DavLocks {
  private readonly snapshot: LockSnapshot;

  constructor(readonly repo: DavLockRepository) {
    this.snapshot = new LockSnapshot(repo);
  }

  /** Evaluates the If header (RFC 4918 §10.4): 412 when no list holds; returns the submitted tokens. */
  async checkIf(dav: DavRequest): Promise<{ lists: IfList[]; tokens: Set<string> }> {
    const raw = header(dav.req, 'if');
    if (raw === undefined || raw.trim() === '') return { lists: [], tokens: new Set() };
    const lists = parseIfHeader(raw);
    const etags = new Map<string, string | undefined>();
    for (const list of lists) {
      if (await this.listHolds(dav, list, etags)) return { lists, tokens: submittedTokens(lists) };
    }
    throw new DavError(412, 'no list of the If header holds');
  }

  private async listHolds(dav: DavRequest, list: IfList, etags: Map<string, string | undefined>): Promise<boolean> {
    const path = list.resource === undefined ? dav.path : pathFromReference(dav, list.resource);
    if (path === undefined) return false;
    for (const c of list.conditions) {
      let holds: boolean;
      if (c.token !== undefined) {
        const lock = c.token.startsWith('opaquelocktoken:') || c.token.startsWith('urn:uuid:') ? await this.repo.get(c.token) : undefined;
        holds = lock !== undefined && covers(lock, path);
      } else {
        if (!etags.has(path)) etags.set(path, await this.etag(dav, path));
        const current = etags.get(path);
        holds = current !== undefined && sameEtag(current, c.etag ?? '');
      }
      if (holds === c.not) return false;
    }
    return true;
  }

  private async etag(dav: DavRequest, path: string): Promise<string | undefined> {
    try {
      const e = await dav.deps.fs.stat(path);
      return etagOf(e.size, e.mtime);
    } catch (err) {
      if (isFsError(err)) return undefined;
      throw err;
    }
  }

  /** The unexpired locks that guard the targets. */
  async guarding(targets: readonly LockTarget[], now = Date.now()): Promise<DavLockRecord[]> {
    const all = await this.snapshot.all();
    if (all.length === 0) return [];
    const found: DavLockRecord[] = [];
    for (const l of all) {
      if (l.expiresAt.getTime() <= now) continue;
      const hit = targets.some(
        (t) => covers(l, t.path) || (t.membership === true && t.path !== '/' && l.root === parentPath(t.path)) || (t.tree === true && l.root !== t.path && isWithin(l.root, t.path)),
      );
      if (hit) found.push(l);
    }
    return found;
  }

  /** 423 unless the request submitted the tokens of every lock in the way (its own locks only). */
  async requireUnlocked(dav: DavRequest, tokens: Set<string>, targets: readonly LockTarget[]): Promise<void> {
    const locks = await this.guarding(targets);
    if (locks.length === 0) return;
    const held = (l: DavLockRecord) => tokens.has(l.token) && (l.userId === dav.principal.user.id || dav.deps.gate.isAdmin(dav.principal));
    const blocking = locks.filter((l) => l.scope === 'exclusive' && !held(l));
    const shared = locks.filter((l) => l.scope === 'shared');
    if (shared.length > 0 && !shared.some(held)) blocking.push(...shared);
    if (blocking.length === 0) return;
    const hrefs = blocking.map((l) => `<D:href>${escapeXml(hrefOf(dav, l.root, false))}</D:href>`).join('');
    throw new DavError(423, 'the resource is locked', `<D:lock-token-submitted>${hrefs}</D:lock-token-submitted>`);
  }

  /** The <D:activelock> element of a lock. */
  activeLock(dav: DavRequest, l: DavLockRecord, rootIsDir: boolean): string {
    const left = Math.max(0, Math.ceil((l.expiresAt.getTime() - Date.now()) / 1000));
    return (
      `<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:${l.scope}/></D:lockscope>` +
      `<D:depth>${l.depth === '0' ? '0' : 'infinity'}</D:depth>` +
      (l.owner ? `<D:owner>${l.owner}</D:owner>` : '') +
      `<D:timeout>Second-${left}</D:timeout>` +
      `<D:locktoken><D:href>${escapeXml(l.token)}</D:href></D:locktoken>` +
      `<D:lockroot><D:href>${escapeXml(hrefOf(dav, l.root, rootIsDir))}</D:href></D:lockroot></D:activelock>`
    );
  }
}

export const SUPPORTED_LOCK =
  '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>';
