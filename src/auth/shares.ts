import { baseName, isWithin, joinPath, normalizePath } from '../core/paths.js';
import { type Repositories, type ShareRecord, type UserRecord, UserRole } from '../db/repositories/index.js';
import { AuthError } from './errors.js';
import { Perm } from './permissions.js';
import type { Principal } from './principal.js';

export const ShareMessages = {
  notFound: 'the share does not exist',
  invalid: 'the share has expired or is no longer valid',
  wrongCode: 'wrong share code',
  root: 'cannot get sharing root link',
  child: 'no such file in this share',
  limit: 'the share has reached its maximum number of accesses',
} as const;

/** How long one visitor's visit lasts: requests within it count once towards `max_accessed` (OpenList's 30 minutes). */
export const VISIT_MS = 30 * 60_000;

/** Whether a user may share (the administrator, or the share bit) and is still allowed in at all. */
export function canShare(user: UserRecord): boolean {
  return !user.disabled && (user.role === UserRole.Admin || (user.permission & Perm.Share) !== 0);
}

/** Where a share path leads: the real path, the share principal for it, or the share's root listing. */
export type ShareTarget =
  | { kind: 'path'; share: ShareRecord; creator: UserRecord; principal: Principal; real: string }
  | { kind: 'root'; share: ShareRecord; creator: UserRecord; files: { name: string; principal: Principal; real: string }[] };

/**
 * Shares as the public sees them. Each request looks the share and its creator up afresh: a
 * share is valid while it is enabled, unexpired, under its access limit, and its creator exists,
 * is enabled and may share; and it reaches only what the creator could reach now, read-only,
 * under the shared path (the gate decides that, with the share as principal).
 */
export class ShareService {
  constructor(
    private readonly repos: Repositories,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The share with its creator, checked for validity and password; throws the AList errors. */
  async open(sid: string, pwd: string): Promise<{ share: ShareRecord; creator: UserRecord }> {
    const share = sid === '' ? undefined : await this.repos.shares.get(sid);
    if (!share) throw new AuthError(404, ShareMessages.notFound);
    const creator = await this.repos.users.get(share.creatorId);
    const expired = share.expiresAt !== null && share.expiresAt.getTime() <= this.now().getTime();
    if (!creator || !canShare(creator) || share.disabled || expired || share.files.length === 0) throw new AuthError(410, ShareMessages.invalid);
    if (share.pwd !== '' && share.pwd !== pwd) throw new AuthError(403, ShareMessages.wrongCode);
    return { share, creator };
  }

  /**
   * Counts this visitor's visit (once per visit): a visitor already let in stays in for the
   * visit, a new one is refused once the share has had its maximum of visits.
   */
  async visit(share: ShareRecord, visitor: string): Promise<void> {
    const now = this.now();
    if (!(await this.repos.shares.visit(share.id, visitor, new Date(now.getTime() + VISIT_MS), now))) throw new AuthError(410, ShareMessages.limit);
  }

  /** The principal a share acts as for one of its files. */
  principal(share: ShareRecord, creator: UserRecord, file: string): Principal {
    return { user: creator, kind: 'share', scope: 'read', pathPrefix: file, share: { id: share.id, guards: new Set(share.guards) } };
  }

  /**
   * Maps a path inside a share (`/`, `/name`, `/name/below`) to the real path: a share of one
   * file or folder is that item; a share of several lists them by name at its root.
   */
  resolve(share: ShareRecord, creator: UserRecord, inner: string): ShareTarget {
    const path = normalizePath(inner);
    if (share.files.length === 1) {
      const file = share.files[0] as string;
      const real = joinPath(file, path);
      return { kind: 'path', share, creator, principal: this.principal(share, creator, file), real };
    }
    if (path === '/') {
      const files = share.files.map((f) => ({ name: baseName(f), principal: this.principal(share, creator, f), real: f }));
      return { kind: 'root', share, creator, files };
    }
    const [first = '', ...rest] = path.slice(1).split('/');
    const file = share.files.find((f) => baseName(f) === first);
    if (!file) throw new AuthError(404, ShareMessages.child);
    const real = joinPath(file, rest.join('/'));
    // joinPath refuses `..`; the principal's prefix is the gate's own check.
    if (!isWithin(real, file)) throw new AuthError(404, ShareMessages.child);
    return { kind: 'path', share, creator, principal: this.principal(share, creator, file), real };
  }
}
