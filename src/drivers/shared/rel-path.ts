import { FsError, isFsError } from '../../core/errors.js';

/** The last segment of a storage-relative path ("" for the root). */
export const baseName = (rel: string): string => rel.slice(rel.lastIndexOf('/') + 1);

/** The parent of a storage-relative path ("" for a top-level name). */
export const parentOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

/** Refuses to move or copy the storage root, or a folder into itself. */
export function checkTransfer(op: string, from: string, to: string): void {
  if (from === '' || to === '') throw new FsError('invalid_path', `${op} "/${from}": cannot ${op} the storage root`);
  if (to === from || to.startsWith(`${from}/`)) throw new FsError('invalid_path', `${op} "/${from}": cannot ${op} a folder into itself`);
}

/** `item`, or not_found when the lookup found nothing. */
export function mustExist<T>(item: T | undefined, op: string, rel: string): T {
  if (item === undefined) throw new FsError('not_found', `${op} "/${rel}": no such file or folder`);
  return item;
}

/** What `lookup` gives, or undefined when it is not_found. */
export async function ifFound<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (err) {
    if (isFsError(err, 'not_found')) return undefined;
    throw err;
  }
}
