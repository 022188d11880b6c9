/** AList's permission bits (classic numbering); bit n has value 1 << n. */
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
} as const);

/** Every bit above: what an administrator implicitly holds. */
export const ALL_PERMISSIONS = Object.values(Perm).reduce((a, b) => a | b, 0);

export function hasPerm(permission: number, bit: number): boolean {
  return (permission & bit) === bit;
}
