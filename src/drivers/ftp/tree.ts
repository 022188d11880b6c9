import { posix } from 'node:path';
import { parseList } from 'basic-ftp';
import { FsError } from '../../core/errors.js';
import type { Entry } from '../../core/storage/index.js';
import { ftpCode, ftpError } from './ftp.errors.js';
import { entryOf, type FtpSession } from './session.js';

/** Hidden name prefix of in-flight uploads; such entries are never listed. */
export const UPLOAD_TEMP_PREFIX = '.filebridge-upload-';

/** FTP commands are lines: a CR or LF in a path would end one command and start another. */
export function checkFtpPath(remote: string, rel: string): string {
  if (/[\r\n\0]/.test(remote)) throw new FsError('invalid_path', `"/${rel}": FTP cannot carry line breaks or NUL in names`);
  return remote;
}

function visible(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.startsWith(UPLOAD_TEMP_PREFIX);
}

/** Lists one folder (MLSD when the server has it, else LIST); names only, no per-entry requests. */
export async function listRaw(s: FtpSession, remote: string, rel: string): Promise<Entry[]> {
  try {
    const items = await s.client.list(remote);
    return items.filter((i) => visible(i.name) && (i.isDirectory || i.isFile)).map((i) => entryOf(i));
  } catch (err) {
    throw ftpError(err, 'list', rel);
  }
}

/** MLST of one path; undefined when the server says it does not exist. */
async function mlst(s: FtpSession, remote: string, rel: string): Promise<Entry | undefined> {
  let text: string;
  try {
    text = (await s.client.send(`MLST ${remote}`)).message;
  } catch (err) {
    if (ftpCode(err) === 550 || ftpCode(err) === 450) return undefined;
    throw ftpError(err, 'stat', rel);
  }
  const facts = text.split('\n').filter((line) => line.startsWith(' ')).map((line) => line.trim());
  const info = parseList(facts.join('\n'))[0];
  return info ? entryOf(info, posix.basename(remote)) : undefined;
}

/**
 * What is at `remote`: MLST when available, else the matching item of the parent's listing.
 * Undefined when nothing is there (or a parent is missing or a file).
 */
export async function statRemote(s: FtpSession, remote: string, root: string, rel: string): Promise<Entry | undefined> {
  if (remote === root) return { name: '', isDir: true, size: 0 };
  if (s.mlst) return mlst(s, remote, rel);
  const name = posix.basename(remote);
  let items;
  try {
    items = await s.client.list(posix.dirname(remote));
  } catch (err) {
    const mapped = ftpError(err, 'stat', rel);
    if (mapped.code === 'not_found') return undefined;
    throw mapped;
  }
  const hit = items.find((i) => i.name === name && (i.isDirectory || i.isFile));
  return hit ? entryOf(hit) : undefined;
}

/**
 * Creates `remote` and missing parents with absolute MKDs (the working folder never changes),
 * then checks the result; an existing folder is success, a file there is already_exists.
 */
export async function mkdirp(s: FtpSession, remote: string, root: string, rel: string): Promise<void> {
  const existing = await statRemote(s, remote, root, rel);
  if (existing) {
    if (existing.isDir) return;
    throw new FsError('already_exists', `mkdir "/${rel}": a file exists at this path`);
  }
  const below = posix.relative(root, remote).split('/');
  let lastReply = '';
  for (let i = 1; i <= below.length; i++) {
    const res = await s.client.sendIgnoringError(`MKD ${posix.join(root, ...below.slice(0, i))}`).catch((err: unknown) => {
      throw ftpError(err, 'mkdir', rel);
    });
    lastReply = res.message;
  }
  const made = await statRemote(s, remote, root, rel);
  if (made?.isDir) return;
  if (made) throw new FsError('already_exists', `mkdir "/${rel}": a file exists at this path`);
  throw new FsError(/denied|permission/i.test(lastReply) ? 'permission_denied' : 'not_a_directory', `mkdir "/${rel}": cannot create the folder`, {
    cause: new Error(lastReply),
  });
}

/** Removes a folder and everything below it, depth first, with absolute paths. */
export async function removeTree(s: FtpSession, remote: string, rel: string): Promise<void> {
  let items;
  try {
    items = await s.client.list(remote);
  } catch (err) {
    throw ftpError(err, 'remove', rel);
  }
  for (const item of items) {
    if (item.name === '.' || item.name === '..' || item.name === '') continue;
    const child = posix.join(remote, item.name);
    if (item.isDirectory) await removeTree(s, child, rel);
    else await s.client.remove(child).catch((err: unknown) => {
      if (ftpError(err, 'remove', rel).code !== 'not_found') throw ftpError(err, 'remove', rel);
    });
  }
  await s.client.removeEmptyDir(remote).catch((err: unknown) => {
    throw ftpError(err, 'remove', rel);
  });
}
