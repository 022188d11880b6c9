import { chmodSync } from 'node:fs';

/**
 * Makes an existing file readable by its owner only (0600). A file this process may not change
 * (another owner, a read-only mount) or that does not exist is left as it is: the caller cannot do
 * better there.
 */
export function restrictToOwner(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EROFS') throw err;
  }
}
