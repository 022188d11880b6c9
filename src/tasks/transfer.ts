import { FsError, isFsError } from '../core/errors.js';
import { baseName, joinPath, parentPath } from '../core/paths.js';
import type { VEntry, VirtualFs } from '../core/virtual-fs.js';
import { counted } from '../lib/counted.js';
import type { ConflictPolicy } from './states.js';
import type { PlannedItem, TaskItem, TaskRecord } from './store.js';

/** How many planned items are written to the store at once. */
export const PLAN_BATCH = 500;

/** Where an item of a copy or move task comes from and goes to. */
export function itemPaths(task: TaskRecord, item: Pick<TaskItem, 'rel'>): { src: string; dst: string } {
  return item.rel === '' ? { src: task.src, dst: task.dst } : { src: joinPath(task.src, item.rel), dst: joinPath(task.dst, item.rel) };
}

/**
 * Walks the source tree breadth-first and hands its folders and files over in batches (folders
 * first within a batch, so they are made before the files into them where it matters).
 */
export async function planTree(fs: VirtualFs, src: string, onBatch: (items: PlannedItem[]) => Promise<void>, signal: AbortSignal): Promise<void> {
  const root = await fs.stat(src);
  if (!root.isDir) {
    await onBatch([{ rel: '', isDir: false, size: root.size, mtime: root.mtime }]);
    return;
  }
  let batch: PlannedItem[] = [{ rel: '', isDir: true, size: 0 }];
  const queue: string[] = [''];
  while (queue.length > 0) {
    signal.throwIfAborted();
    const rel = queue.shift() as string;
    const { entries } = await fs.list(rel === '' ? src : joinPath(src, rel));
    for (const e of entries) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDir) queue.push(childRel);
      batch.push({ rel: childRel, isDir: e.isDir, size: e.isDir ? 0 : e.size, mtime: e.mtime });
      if (batch.length >= PLAN_BATCH) {
        await onBatch(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) await onBatch(batch);
}

async function statOrUndefined(fs: VirtualFs, path: string): Promise<VEntry | undefined> {
  try {
    return await fs.stat(path);
  } catch (err) {
    if (isFsError(err, 'not_found')) return undefined;
    throw err;
  }
}

/** `name (1).ext`, `name (2).ext`, ...: the first free sibling name. */
async function freeName(fs: VirtualFs, dst: string): Promise<string> {
  const dir = parentPath(dst);
  const name = baseName(dst);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; n < 10_000; n++) {
    const candidate = joinPath(dir, `${stem} (${n})${ext}`);
    if (!(await fs.exists(candidate))) return candidate;
  }
  throw new FsError('conflict', `no free name for ${dst}`);
}

/** Whether two hash sets name a common algorithm with different values. */
function hashesDiffer(a: Record<string, string> | undefined, b: Record<string, string> | undefined): string | undefined {
  if (!a || !b) return undefined;
  for (const [algo, value] of Object.entries(a)) {
    const other = b[algo];
    if (other !== undefined && other.toLowerCase() !== value.toLowerCase()) return algo;
  }
  return undefined;
}

export interface ItemOutcome {
  skipped: boolean;
}

/**
 * Runs one item of a copy or move: a folder is made (merged when it exists); a file is streamed
 * from source to target with back-pressure, lands atomically (the driver's write contract),
 * and is checked (size, and hash where both sides report one) before a move removes the source.
 */
export async function runTransferItem(
  fs: VirtualFs,
  task: TaskRecord,
  item: TaskItem,
  onBytes: (bytes: number) => void,
  signal: AbortSignal,
): Promise<ItemOutcome> {
  const { src, dst } = itemPaths(task, item);
  if (item.isDir) {
    const existing = await statOrUndefined(fs, dst);
    if (existing && !existing.isDir) throw new FsError('not_a_directory', `${dst} exists and is a file`);
    if (!existing) await fs.mkdir(dst);
    return { skipped: false };
  }
  const source = await fs.stat(src);
  let target = dst;
  const policy: ConflictPolicy = task.options.conflict;
  if (policy !== 'overwrite') {
    const existing = await statOrUndefined(fs, dst);
    if (existing?.isDir) throw new FsError('is_a_directory', `${dst} is a folder`);
    if (existing) {
      if (policy === 'skip') return { skipped: true };
      if (policy === 'skip_same' && existing.size === source.size && sameTime(existing.mtime, source.mtime)) return { skipped: true };
      if (policy === 'rename') target = await freeName(fs, dst);
    }
  }
  const r = await fs.read(src, { signal });
  const body = counted(r.stream, onBytes);
  let written: VEntry;
  try {
    written = await fs.write(target, body.stream, { size: r.size ?? source.size, mtime: source.mtime, signal });
  } finally {
    r.stream.destroy();
  }
  const bytes = body.count();
  if (bytes !== source.size) {
    throw new FsError('upstream_error', `read ${bytes} of ${source.size} bytes from ${src}`, { retryable: true });
  }
  if (written.size !== source.size) {
    // The target kept something else: never remove the source on the strength of it.
    throw new FsError('upstream_error', `${target} holds ${written.size} bytes after writing ${source.size}`);
  }
  const algo = hashesDiffer(source.hashes, written.hashes);
  if (algo) throw new FsError('upstream_error', `${target}: ${algo} differs from the source after copying`);
  if (task.kind === 'move') await fs.remove(src, { recursive: false });
  return { skipped: false };
}

function sameTime(a: Date | undefined, b: Date | undefined): boolean {
  if (!a || !b) return false;
  return Math.abs(a.getTime() - b.getTime()) < 2000;
}

/** After a move's files all arrived: its source folders, deepest first, if they are empty now. */
export async function removeMovedFolders(fs: VirtualFs, task: TaskRecord, folders: readonly string[]): Promise<void> {
  const deepest = [...folders].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
  for (const rel of deepest) {
    const { src } = itemPaths(task, { rel });
    try {
      const { entries } = await fs.list(src);
      if (entries.length > 0) continue;
      await fs.remove(src, { recursive: false });
    } catch (err) {
      if (!isFsError(err, 'not_found')) throw err;
    }
  }
}
