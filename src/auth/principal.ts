import type { TokenScope, UserRecord } from '../db/repositories/index.js';
import { UserRole } from '../db/repositories/index.js';
import { ALL_PERMISSIONS, Perm } from './permissions.js';

export type PrincipalKind = 'guest' | 'login' | 'admin_token' | 'api_token' | 'share';

/** Who is asking, as every front door sees it after authentication. */
export interface Principal {
  user: UserRecord;
  kind: PrincipalKind;
  /** Login token id, for logout. */
  jti?: string;
  expiresAt?: Date;
  /** API tokens: what the token may do, and under which path. */
  scope?: TokenScope;
  pathPrefix?: string;
  tokenId?: number;
  /**
   * Shares: a share acts as its creator (the user above, as stored now), read-only and under the
   * shared path, and passes only the folder passwords that guarded it when it was made.
   */
  share?: { id: string; guards: ReadonlySet<string> };
}

const WRITE_BITS = Perm.Write | Perm.Rename | Perm.Move | Perm.Copy | Perm.Remove | Perm.WebdavManage | Perm.FtpManage | Perm.Decompress | Perm.OfflineDownload;

export function isAdmin(p: Principal): boolean {
  return p.user.role === UserRole.Admin && (p.scope === undefined || p.scope === 'admin');
}

export function isGuest(p: Principal): boolean {
  return p.user.role === UserRole.Guest;
}

/** Effective permission bits: administrators hold every bit; a read-scoped token drops the write bits. */
export function permissions(p: Principal): number {
  const bits = p.user.role === UserRole.Admin ? ALL_PERMISSIONS : p.user.permission;
  return p.scope === 'read' ? bits & ~WRITE_BITS : bits;
}

export function can(p: Principal, bit: number): boolean {
  return (permissions(p) & bit) === bit;
}
