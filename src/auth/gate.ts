import { isWithin, normalizePath, parentPath } from '../core/paths.js';
import { AuthMessages } from './errors.js';
import { Lockout, type LockoutOptions } from './lockout.js';
import { type MetaRule, MetaService } from './metas.js';
import { UserRole } from '../db/repositories/index.js';
import { Perm } from './permissions.js';
import { type Principal, isAdmin, permissions } from './principal.js';

/** The front doors that ask the gate. */
export type Door = 'api' | 'webdav' | 'download' | 'ui' | 'share' | 's3' | 'ftp' | 'sftp' | 'task';

/**
 * What a principal wants to do. `list`/`read` look; `write` stores a file at `path`; `mkdir` makes
 * a folder at `path`; `rename` renames `path` to the sibling `target`; `move`/`copy` carry the tree
 * at `path` to `target`; `remove` deletes the tree at `path`; `refresh` forgets a cached listing;
 * `props` changes WebDAV properties of `path`; `lock` takes a WebDAV lock on `path`;
 * `offline_download` has the server download into the folder `path` (the offline-download bit
 * and write permission in that folder).
 */
export type Action = 'list' | 'read' | 'write' | 'mkdir' | 'rename' | 'move' | 'copy' | 'remove' | 'refresh' | 'props' | 'lock' | 'offline_download';

export const MODIFYING: ReadonlySet<Action> = new Set<Action>(['write', 'mkdir', 'rename', 'move', 'copy', 'remove', 'props', 'lock', 'offline_download']);

export interface Ask {
  door: Door;
  action: Action;
  /** The absolute virtual path acted on (the source of rename, move and copy). */
  path: string;
  /** rename, move, copy: the absolute virtual path the tree will have. */
  target?: string;
  /** The folder password offered (the API's `password`, WebDAV's Basic password). */
  password?: string;
  /**
   * Whether a wrong password counts towards the folder-password lockout (default true). False
   * when the password was not typed for this folder: WebDAV's verified login password, or the
   * password of a search's starting folder carried into the folders below it.
   */
  guess?: boolean;
  /** Client address, for the folder-password lockout. */
  ip?: string;
}

export type RefusalCode = 'outside_base' | 'outside_prefix' | 'root' | 'scope' | 'door' | 'permission' | 'password' | 'password_locked';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  /** 403, or 429 while a folder password is locked. */
  status: 403 | 429;
  message: string;
  /** The path the refusal is about. */
  path: string;
}

export type Decision = { ok: true } | Refusal;

const ALLOW: Decision = Object.freeze({ ok: true });

export interface GateOptions {
  /**
   * The other tree paths a virtual path stands for (an Alias shows folders of other storages),
   * to any depth. Each is held to the user's base path and its metas (passwords, hide, write) as
   * the path itself is, so an alias reaches nothing its user could not reach directly.
   */
  realPaths?: (path: string) => readonly string[];
}

/** Wrong folder passwords: per (address, folder), and per folder from any address. */
export const FOLDER_LOCKOUT: { perAddress: LockoutOptions; perFolder: LockoutOptions } = {
  perAddress: { maxFailures: 10, windowMs: 5 * 60_000 },
  perFolder: { maxFailures: 100, windowMs: 15 * 60_000 },
};

export const GateMessages = {
  root: 'the root folder cannot be renamed, moved or removed',
  passwordLocked: 'too many wrong passwords for this folder; try again later',
} as const;

/** The door's own bit: WebDAV and FTP/SFTP users need it beside the bits of the action. */
function doorBit(door: Door, modifying: boolean): number {
  if (door === 'webdav') return modifying ? Perm.WebdavManage : Perm.WebdavRead;
  if (door === 'ftp' || door === 'sftp') return modifying ? Perm.FtpManage : Perm.FtpRead;
  return 0;
}

function refuse(code: RefusalCode, path: string, message: string, status: 403 | 429 = 403): Refusal {
  return { ok: false, code, status, message, path };
}

/**
 * The one authorization gate: every operation of every front door is decided here, from the
 * principal (user, guest, API token, share), the action, the paths of both ends and the metas
 * on and below them. Doors translate their protocol and call `authorize`; they never read
 * permission bits, token scopes or metas themselves.
 */
export class Gate {
  private readonly perAddress: Lockout;
  private readonly perFolder: Lockout;

  private readonly realPaths: (path: string) => readonly string[];

  constructor(private readonly metas: MetaService, lockout = FOLDER_LOCKOUT, options: GateOptions = {}) {
    this.realPaths = options.realPaths ?? (() => []);
    this.perAddress = new Lockout(lockout.perAddress);
    this.perFolder = new Lockout(lockout.perFolder);
  }

  authorize(p: Principal, ask: Ask): Decision {
    const modifying = MODIFYING.has(ask.action);
    const ends = ask.target === undefined ? [ask.path] : [ask.path, ask.target];
    for (const path of ends) {
      const outside = this.containment(p, path);
      if (outside) return outside;
    }
    if ((ask.action === 'rename' || ask.action === 'move' || ask.action === 'remove') && this.isRoot(p, ask.path)) {
      return refuse('root', ask.path, GateMessages.root);
    }
    if (modifying && p.scope === 'read') return refuse('scope', ask.path, AuthMessages.scope);
    const bits = permissions(p);
    const door = doorBit(ask.door, modifying || ask.action === 'refresh');
    if ((bits & door) !== door) return refuse('door', ask.path, AuthMessages.permission);
    const bitsRefusal = this.actionBits(p, bits, ask);
    if (bitsRefusal) return bitsRefusal;
    return this.passwords(p, ask);
  }

  /** `authorize`, throwing the refusal through `toError` (each door maps refusals in one place). */
  require(p: Principal, ask: Ask, toError: (r: Refusal, p: Principal) => Error): void {
    const d = this.authorize(p, ask);
    if (!d.ok) throw toError(d, p);
  }

  /** Moves on whenever the path rules change: answers derived from them are cached against it. */
  get revision(): number {
    return this.metas.revision;
  }

  /**
   * Whether this principal sees hidden entries (no hide rule applies to it): listings it gets
   * depend only on the folder, so they can be shared with every such principal.
   */
  seesHidden(p: Principal): boolean {
    return isAdmin(p) || (permissions(p) & Perm.SeeHidden) !== 0;
  }

  /** A predicate telling which entries of the folder `dir` this principal sees in listings. */
  visibleIn(p: Principal, dir: string): (name: string) => boolean {
    if (this.seesHidden(p)) return () => true;
    const hides = [dir, ...this.realPaths(dir)].map((d) => this.metas.hiddenNames(d));
    const hidden = (name: string) => hides.some((h) => h(name));
    return (name) => !hidden(name);
  }

  /** What a folder listing shows beside its entries: readme, header, and whether this principal may write there. */
  folderView(p: Principal, dir: string): { readme: string; header: string; write: boolean } {
    return { readme: this.metas.readme(dir), header: this.metas.header(dir), write: p.scope !== 'read' && this.writableAt(p, permissions(p), dir) };
  }

  /** Whether a principal is the administrator (admin routes, other users' locks). */
  isAdmin(p: Principal): boolean {
    return isAdmin(p);
  }

  /** Whether this principal may mint API tokens: a session, or an admin-scoped token (never a narrower one). */
  mayMintTokens(p: Principal): boolean {
    return p.kind !== 'api_token' || p.scope === 'admin';
  }

  /** Whether the guest may enter a door at all (WebDAV asks for a login instead when it may not). */
  admits(p: Principal, door: Door): boolean {
    const bit = doorBit(door, false);
    return (permissions(p) & bit) === bit;
  }

  /**
   * Whether this principal may see a task (`change` false) or cancel, retry or delete it: the
   * administrator any task, others their own; a read-scoped token only looks.
   */
  mayTouchTask(p: Principal, creatorId: number, change: boolean): boolean {
    if (change && p.scope === 'read') return false;
    return isAdmin(p) || p.user.id === creatorId;
  }

  /** Whether this principal may make shares (OpenList's share bit; never a read-scoped token). */
  mayShare(p: Principal): boolean {
    return p.scope !== 'read' && !p.user.disabled && (isAdmin(p) || (permissions(p) & Perm.Share) !== 0);
  }

  /** Whether this principal may choose a share's id. */
  mayChooseShareId(p: Principal): boolean {
    return this.mayShare(p) && (isAdmin(p) || (permissions(p) & Perm.ShareCustomId) !== 0);
  }

  /** Whether this principal may see a share (`change` false) or edit, enable, disable or delete it: the administrator any, others their own. */
  mayTouchShare(p: Principal, creatorId: number, change: boolean): boolean {
    if (change && p.scope === 'read') return false;
    return isAdmin(p) || p.user.id === creatorId;
  }

  /** The version of the folder passwords guarding `path` ('' for none): signed links are bound to it. */
  linkVersion(path: string): string {
    const reals = this.realPaths(path);
    if (reals.length === 0) return this.metas.passwordVersion(path);
    return [path, ...reals].map((q) => this.metas.passwordVersion(q)).filter((v) => v !== '').join('.');
  }

  /**
   * What a search below `root` (already allowed to be listed with `password`) may show this
   * principal: exactly what walking the folders below `root` through listings would find. An
   * entry is shown when every folder from `root` down to it may be listed with that password and
   * each name on the way is visible in its folder. `exclude` are the folders whose passwords
   * this one does not open (their subtrees can be left out of the query at once); `exact` when no
   * rule can hide anything from this principal, so the database's counts are the answer.
   */
  searchView(p: Principal, root: string, password: string): { exclude: string[]; exact: boolean; allows(parent: string, name: string): boolean } {
    const rules = [...this.metas.onTheWay('/'), ...this.metas.below('/')];
    const free = isAdmin(p) || (permissions(p) & Perm.AccessWithoutPassword) !== 0;
    const locked = free ? [] : rules.filter((r) => r.password !== '' && r.password !== password);
    const hides = this.seesHidden(p) ? [] : rules.filter((r) => r.hidePatterns.length > 0);
    const seen = new Map<string, (name: string) => boolean>();
    const visible = (dir: string, name: string): boolean => {
      let v = seen.get(dir);
      if (!v) seen.set(dir, (v = this.visibleIn(p, dir)));
      return v(name);
    };
    const dirs = new Map<string, boolean>([[root, true]]);
    const dirAllowed = (dir: string): boolean => {
      const known = dirs.get(dir);
      if (known !== undefined) return known;
      const up = parentPath(dir);
      const ok = dir !== up && isWithin(dir, root) && dirAllowed(up) && visible(up, dir.slice(up === '/' ? 1 : up.length + 1)) && this.authorize(p, { door: 'api', action: 'list', path: dir, password, guess: false }).ok;
      dirs.set(dir, ok);
      return ok;
    };
    return {
      exclude: locked.filter((r) => isWithin(r.path, root) && r.path !== root).map((r) => r.path),
      exact: locked.length === 0 && hides.length === 0,
      allows: (parent, name) => dirAllowed(parent) && visible(parent, name),
    };
  }

  /** Whether a signed link is needed for `path` even when signing is off: a folder password guards it. */
  guarded(path: string): boolean {
    return this.passwordsFor(path).length > 0;
  }

  private containment(p: Principal, path: string): Refusal | undefined {
    const base = normalizePath(p.user.basePath || '/');
    if (!isWithin(path, base)) return refuse('outside_base', path, AuthMessages.permission);
    // What a virtual path stands for must be inside the base path too (the token prefix narrows the path asked for only).
    if (this.realPaths(path).some((real) => !isWithin(real, base))) return refuse('outside_base', path, AuthMessages.permission);
    if (p.pathPrefix && !isWithin(path, normalizePath(p.pathPrefix))) return refuse('outside_prefix', path, AuthMessages.prefix);
    return undefined;
  }

  private isRoot(p: Principal, path: string): boolean {
    if (path === '/' || path === normalizePath(p.user.basePath || '/')) return true;
    return p.pathPrefix !== undefined && path === normalizePath(p.pathPrefix);
  }

  private writableAt(p: Principal, bits: number, dir: string): boolean {
    return (bits & Perm.Write) !== 0 || (p.scope !== 'read' && [dir, ...this.realPaths(dir)].every((d) => this.metas.metaWrite(d)));
  }

  private actionBits(p: Principal, bits: number, ask: Ask): Refusal | undefined {
    const need = (bit: number) => (bits & bit) === bit;
    const deny = () => refuse('permission', ask.path, AuthMessages.permission);
    switch (ask.action) {
      case 'write':
      case 'mkdir':
      case 'props':
      case 'lock':
        return this.writableAt(p, bits, parentPath(ask.path)) ? undefined : deny();
      case 'refresh':
        return this.writableAt(p, bits, ask.path) ? undefined : deny();
      case 'rename':
        return need(Perm.Rename) ? undefined : deny();
      case 'move': {
        const target = ask.target ?? ask.path;
        if (parentPath(target) === parentPath(ask.path)) return need(Perm.Rename) ? undefined : deny();
        if (!need(Perm.Move)) return deny();
        return this.writableAt(p, bits, parentPath(target)) ? undefined : refuse('permission', target, AuthMessages.permission);
      }
      case 'copy': {
        if (!need(Perm.Copy)) return deny();
        const target = ask.target ?? ask.path;
        return this.writableAt(p, bits, parentPath(target)) ? undefined : refuse('permission', target, AuthMessages.permission);
      }
      case 'remove':
        return need(Perm.Remove) ? undefined : deny();
      case 'offline_download':
        return need(Perm.OfflineDownload) && this.writableAt(p, bits, ask.path) ? undefined : deny();
      default:
        return undefined;
    }
  }

  /**
   * A share passes a folder password only when its creator may pass it without typing it (the
   * administrator, or the bit) and the password is one the share was made under: a password
   * added or changed since ends the share's reach there on the next request.
   */
  private sharePasswords(p: Principal, accepted: ReadonlySet<string>, ask: Ask): Decision {
    const bypass = p.user.role === UserRole.Admin || (p.user.permission & Perm.AccessWithoutPassword) !== 0;
    for (const g of this.guardsOf(ask)) {
      if (!bypass || !accepted.has(MetaService.fingerprint(g))) return refuse('password', g.path, AuthMessages.metaPassword);
    }
    return ALLOW;
  }

  /** Fingerprints of the folder passwords a share of `paths` made now by `p` is made under (none when `p` could not pass them). */
  shareGuards(paths: readonly string[]): string[] {
    return [...new Set(paths.flatMap((path) => [path, ...this.realPaths(path)]).flatMap((path) => this.metas.guardPrints(path)))];
  }

  /** The folder passwords guarding `path` and each tree path it stands for. */
  private passwordsFor(path: string): MetaRule[] {
    const reals = this.realPaths(path);
    return reals.length === 0 ? this.metas.passwordsFor(path) : [path, ...reals].flatMap((q) => this.metas.passwordsFor(q));
  }

  /** The metas strictly below `path` and below each tree path it stands for. */
  private below(path: string): MetaRule[] {
    const reals = this.realPaths(path);
    return reals.length === 0 ? this.metas.below(path) : [path, ...reals].flatMap((q) => this.metas.below(q));
  }

  /** Every folder password that guards what the action touches, at both ends and below a carried tree. */
  private guardsOf(ask: Ask): MetaRule[] {
    const m = { passwordsFor: (q: string) => this.passwordsFor(q), below: (q: string) => this.below(q) };
    const guards: MetaRule[] = [...m.passwordsFor(ask.path)];
    const tree = ask.action === 'rename' || ask.action === 'move' || ask.action === 'copy' || ask.action === 'remove';
    if (ask.action === 'write' || ask.action === 'mkdir') guards.push(...m.passwordsFor(parentPath(ask.path)));
    if (tree) guards.push(...m.below(ask.path).filter((r) => r.password !== ''));
    if (ask.target !== undefined) {
      guards.push(...m.passwordsFor(parentPath(ask.target)), ...m.passwordsFor(ask.target));
      guards.push(...m.below(ask.target).filter((r) => r.password !== ''));
    }
    const seen = new Set<number>();
    return guards.filter((g) => !seen.has(g.id) && seen.add(g.id));
  }

  private passwords(p: Principal, ask: Ask): Decision {
    if (p.share) return this.sharePasswords(p, p.share.guards, ask);
    if (isAdmin(p) || (permissions(p) & Perm.AccessWithoutPassword) !== 0) return ALLOW;
    const offered = ask.password ?? '';
    const counts = (ask.guess ?? true) && offered !== '';
    const address = ask.ip ?? '';
    for (const g of this.guardsOf(ask)) {
      const keyA = `${address}\0${g.id}`;
      const keyF = String(g.id);
      if (this.perAddress.locked(keyA) || this.perFolder.locked(keyF)) return refuse('password_locked', g.path, GateMessages.passwordLocked, 429);
      if (g.password === offered) continue;
      if (counts) {
        this.perAddress.fail(keyA);
        this.perFolder.fail(keyF);
      }
      return refuse('password', g.path, AuthMessages.metaPassword);
    }
    return ALLOW;
  }
}
