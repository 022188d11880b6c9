import { constants as fsc, type Stats } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readlink, rmdir, symlink, unlink, utimes, lutimes } from 'node:fs/promises';
import { FsError } from '../../core/errors.js';
import { errnoOf } from './containment.js';
import { ANY_NOFOLLOW, DIR_NOFOLLOW, Handles, type Held, hold } from './handles.js';

/**
 * Recursive copy and removal that never follow a symlink: every folder is held by an O_PATH
 * descriptor opened without following, and everything below it is reached through that
 * descriptor. A folder swapped for a symlink midway makes the walk fail or act on the link
 * itself; it can never lead the walk out of the tree (as fs.cp and fs.rm, which walk by path, can).
 * Top-level paths must themselves be anchored (a held folder's `at(name)`) or trusted.
 */

/** Entries removed concurrently per batch within one folder. */
const BATCH = 64;

function ignoreGone(err: unknown): undefined {
  if (errnoOf(err) === 'ENOENT') return undefined;
  throw err;
}

/** Removes `p` and, when it is a folder, everything in it; a symlink is removed, never followed. */
export async function removeTree(p: string): Promise<void> {
  const st = await lstat(p);
  if (!st.isDirectory()) {
    await unlink(p);
    return;
  }
  const bag = new Handles();
  try {
    let dir: Held;
    try {
      dir = await hold(p, DIR_NOFOLLOW, bag, { known: p });
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'ENOTDIR' && code !== 'ELOOP') throw err;
      // Swapped for a link or a file since the lstat: remove that, never what it names.
      await unlink(p);
      return;
    }
    await removeEntries(dir, await readdir(dir.path));
  } finally {
    bag.close();
  }
  await rmdir(p);
}

/** Files in batches concurrently; folders one at a time (bounded descriptors at any depth). */
async function removeEntries(dir: Held, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += BATCH) {
    const batch = names.slice(i, i + BATCH);
    const isDir = await Promise.all(batch.map((n) => lstat(dir.at(n)).then((s) => s.isDirectory(), ignoreGone)));
    await Promise.all(batch.flatMap((n, k) => (isDir[k] === false ? [unlink(dir.at(n)).catch(ignoreGone)] : [])));
    for (const [k, n] of batch.entries()) {
      if (isDir[k] === true) await removeTree(dir.at(n)).catch(ignoreGone);
    }
  }
}

/**
 * Copies what `src` holds (a file or a folder, `st` its stats) to the new path `dst`. File bytes
 * go kernel to kernel (copy_file_range or a reflink), never through a buffer here; modification
 * times and modes are kept; symlinks inside folders are copied as links, their text verbatim.
 */
export async function copyHeld(src: Held, st: Stats, dst: string): Promise<void> {
  if (st.isFile()) {
    await copyFile(src.path, dst, fsc.COPYFILE_EXCL | fsc.COPYFILE_FICLONE);
    await lutimes(dst, st.atime, st.mtime);
    return;
  }
  if (!st.isDirectory()) throw new FsError('not_supported', 'only files, folders and symbolic links can be copied');
  await mkdir(dst, { mode: 0o700 });
  const bag = new Handles();
  try {
    const out = await hold(dst, DIR_NOFOLLOW, bag, { known: dst });
    for (const name of await readdir(src.path)) await copyPath(src.at(name), out.at(name));
    await chmod(out.path, st.mode & 0o7777);
    await utimes(out.path, st.atime, st.mtime);
  } finally {
    bag.close();
  }
}

/** Copies the entry `src` names (not following it: a symlink is copied as a link) to `dst`. */
export async function copyPath(src: string, dst: string): Promise<void> {
  const bag = new Handles();
  try {
    const h = await hold(src, ANY_NOFOLLOW, bag, { known: src, stat: true });
    const st = await h.stat();
    if (st.isSymbolicLink()) await symlink(await readlink(src), dst);
    else await copyHeld(h, st, dst);
  } finally {
    bag.close();
  }
}
