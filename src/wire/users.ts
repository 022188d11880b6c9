/** AList's user roles. */
export const UserRole = Object.freeze({ General: 0, Guest: 1, Admin: 2 } as const);
export type UserRoleValue = (typeof UserRole)[keyof typeof UserRole];

/** AList's permission bits, in AList's order. */
export const Perm = Object.freeze({
  SeeHidden: 1 << 0,
  AccessWithoutPassword: 1 << 1,
  OfflineDownload: 1 << 2,
  Write: 1 << 3,
  Rename: 1 << 4,
  Move: 1 << 5,
  Copy: 1 << 6,
  Remove: 1 << 7,
  WebdavRead: 1 << 8,
  WebdavManage: 1 << 9,
  FtpRead: 1 << 10,
  FtpManage: 1 << 11,
  ReadArchives: 1 << 12,
  Decompress: 1 << 13,
  /** OpenList: create shares. */
  Share: 1 << 14,
  /** OpenList: choose a share's id. */
  ShareCustomId: 1 << 15,
} as const);

/** `data` of `/api/me`. */
export interface Me {
  id: number;
  username: string;
  base_path: string;
  role: number;
  disabled: boolean;
  permission: number;
  otp: boolean;
}
