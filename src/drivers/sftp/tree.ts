import { posix } from 'node:path';
import type { Attributes, Stats } from 'ssh2';
import { FsError } from '../../core/errors.js';
import type { Entry } from '../../core/storage/index.js';
import { ops, type SftpSession } from './session.js';
import { SFTP_STATUS, sftpError, sftpStatus } from './sftp.errors.js';

/** Hidden name prefix of in-flight uploads; such entries are never listed. */
export const UPLOAD_TEMP_PREFIX = '.filebridge-upload-';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Files removed at once within one folder during a recursive remove (SFTP pipelines requests). */
const REMOVE_BATCH = 16;

export const kind = {
  isDir: (a: Attributes) => (a.mode & S_IFMT) === S_IFDIR,
  isFile: (a: Attributes) => (a.mode & S_IFMT) === S_IFREG,
  isLink: (a: Attributes) => (a.mode & S_IFMT) === S_IFLNK,
};

export function toEntry(name: string, a: Attributes): Entry {
  const isDir = kind.isDir(a);
  const entry: Entry = { name, isDir, size: isDir ? 0 : Number(a.size ?? 0) };
  if (typeof a.mtime === 'number' && a.mtime > 0) entry.mtime = new Date(a.mtime * 1000);
  return entry;
}

/** Stat that gives undefined for a missing path (or one below a file). */
export async function statOrUndefined(s: SftpSession, remote: string, op: string, rel: string): Promise<Stats | undefined> {
  try {
    return await ops.stat(s, remote);
  } catch (err) {
    if (sftpStatus(err) === SFTP_STATUS.NO_SUCH_FILE) return undefined;
    throw sftpError(err, op, rel);
  }
}

/**
 * One folder's entries from a single READDIR sequence: attributes come with the names, so no
 * per-entry stat; only symbolic links are stat-ed to learn what they point at (broken links are
 * left out). Upload temp files and "." / ".." are left out.
 */
export async function listEntries(s: SftpSession, remote: string, rel: string): Promise<Entry[]> {
  let items;
  try {
    items = await ops.readdir(s, remote);
  } catch (err) {
    // Servers answer READDIR/OPENDIR on a file with a bare FAILURE; tell the caller what it was.
    if (sftpStatus(err) === SFTP_STATUS.FAILURE) {
      const st = await statOrUndefined(s, remote, 'list', rel);
      if (st && !kind.isDir(st)) throw new FsError('not_a_directory', `list "/${rel}": not a folder`, { cause: err });
    }
    throw sftpError(err, 'list', rel);
  }
  const out: Entry[] = [];
  for (const item of items) {
    const name = item.filename;
    if (name === '.' || name === '..' || name.startsWith(UPLOAD_TEMP_PREFIX)) continue;
    let attrs: Attributes = item.attrs;
    if (kind.isLink(attrs)) {
      const target = await statOrUndefined(s, posix.join(remote, name), 'list', rel);
      if (target === undefined) continue;
      attrs = target;
    }
    if (kind.isDir(attrs) || kind.isFile(attrs)) out.push(toEntry(name, attrs));
  }
  return out;
}

/**
 * Creates `remote` and its missing parents; an existing folder is success, an existing file is
 * already_exists (or not_a_directory when it is a parent). Stops at `root`, which must exist.
 */
export async function mkdirp(s: SftpSession, remote: string, root: string, rel: string): Promise<void> {
  const st = await statOrUndefined(s, remote, 'mkdir', rel);
  if (st) {
    if (kind.isDir(st)) return;
    throw new FsError('already_exists', `mkdir "/${rel}": a file exists at this path`);
  }
  if (remote === root) throw new FsError('not_found', `mkdir "/${rel}": the storage root is missing`);
  const parent = posix.dirname(remote);
  const parentStat = await statOrUndefined(s, parent, 'mkdir', rel);
  if (parentStat === undefined) await mkdirp(s, parent, root, rel);
  else if (!kind.isDir(parentStat)) throw new FsError('not_a_directory', `mkdir "/${rel}": a parent is not a folder`);
  try {
    await ops.mkdir(s, remote);
  } catch (err) {
    // OpenSSH answers MKDIR of an existing name with FAILURE; a racing mkdir may have made it.
    const now = await statOrUndefined(s, remote, 'mkdir', rel);
    if (now && kind.isDir(now)) return;
    if (now) throw new FsError('already_exists', `mkdir "/${rel}": a file exists at this path`, { cause: err });
    throw sftpError(err, 'mkdir', rel);
  }
}

/** Removes a folder and everything below it, depth first. */
export async function removeTree(s: SftpSession, remote: string, rel: string): Promise<void> {
  let items;
  try {
    items = await ops.readdir(s, remote);
  } catch (err) {
    throw sftpError(err, 'remove', rel);
  }
  const files: string[] = [];
  for (const item of items) {
    if (item.filename === '.' || item.filename === '..') continue;
    const child = posix.join(remote, item.filename);
    if (kind.isDir(item.attrs)) await removeTree(s, child, rel);
    else files.push(child);
  }
  for (let i = 0; i < files.length; i += REMOVE_BATCH) {
    await Promise.all(
      files.slice(i, i + REMOVE_BATCH).map((f) =>
        ops.unlink(s, f).catch((err: unknown) => {
          if (sftpStatus(err) !== SFTP_STATUS.NO_SUCH_FILE) throw sftpError(err, 'remove', rel);
        }),
      ),
    );
  }
  await ops.rmdir(s, remote).catch((err: unknown) => {
    throw sftpError(err, 'remove', rel);
  });
}
