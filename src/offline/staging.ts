import { mkdir, open, readFile, rename, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FsError } from '../core/errors.js';
import { STAGING_RESERVE_BYTES } from '../tasks/upload.js';

/**
 * What SimpleHttp knows about a staged download, kept beside (not inside) its folder so that a
 * restarted server resumes it: the file's name, its size and validators, and whether it is whole.
 */
const Sidecar = z.object({
  url: z.string(),
  name: z.string(),
  size: z.number().optional(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  complete: z.boolean().default(false),
});
export type Sidecar = z.infer<typeof Sidecar>;

export async function readSidecar(file: string): Promise<Sidecar | undefined> {
  try {
    const parsed = Sidecar.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Missing or unreadable: the download starts from its first byte.
    return undefined;
  }
}

export async function writeSidecar(file: string, value: Sidecar): Promise<void> {
  await writeJson(file, value);
}

const ToolHandle = z.object({ tool: z.string(), handle: z.string() });

/** The handle an external tool gave a task's download (kept so a cancelled task can be removed from the tool). */
export async function writeToolHandle(dir: string, value: z.infer<typeof ToolHandle>): Promise<void> {
  await writeJson(`${dir}.tool.json`, value);
}

export async function readToolHandle(dir: string): Promise<z.infer<typeof ToolHandle> | undefined> {
  try {
    const parsed = ToolHandle.safeParse(JSON.parse(await readFile(`${dir}.tool.json`, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function dropToolHandle(dir: string): Promise<void> {
  await rm(`${dir}.tool.json`, { force: true });
}

/** Written whole or not at all (a part file, synced, then renamed). */
async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const part = `${file}.part`;
  const fh = await open(part, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(value));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(part, file);
}

/** Bytes that may still be written into `dir` with the reserve left free. */
export async function freeBytes(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const s = await statfs(dir);
  return Math.max(0, s.bavail * s.bsize - STAGING_RESERVE_BYTES);
}

/** Refuses a download of `bytes` more bytes that would not fit in the staging folder with its reserve. */
export async function requireSpace(dir: string, bytes: number, what: string): Promise<void> {
  const free = await freeBytes(dir);
  if (bytes > free) {
    throw new FsError('quota_exceeded', `not enough free space in the staging folder for ${what} (${bytes} bytes wanted, ${free} free beyond the reserve)`);
  }
}

/** Removes a task's staged folder and its sidecar (the tool handle goes once the tool forgot the download). */
export async function removeStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.json`, { force: true });
  await rm(`${dir}.json.part`, { force: true });
}
