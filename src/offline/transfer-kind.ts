import { createHash, getHashes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FsError } from '../core/errors.js';
import { joinPath } from '../core/paths.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import { counted } from '../lib/counted.js';
import type { ItemContext, KindHandler } from '../tasks/kinds.js';
import { TaskState } from '../tasks/states.js';
import type { PlannedItem, TaskItem, TaskRecord } from '../tasks/store.js';
import { PLAN_BATCH } from '../tasks/transfer.js';
import { removeStaging } from './staging.js';
import { offlineOptions } from './task-options.js';
import { deletesStaging } from './tool.js';

function targetOf(task: TaskRecord, item: Pick<TaskItem, 'rel'>): string {
  return item.rel === '' ? task.dst : joinPath(task.dst, item.rel);
}

/** Hashes of a local file for the algorithms in `algos` that node:crypto knows. */
async function localHashes(file: string, algos: readonly string[]): Promise<Record<string, string>> {
  const known = new Set(getHashes());
  const usable = algos.filter((a) => known.has(a.toLowerCase()));
  if (usable.length === 0) return {};
  const hashers = usable.map((a) => [a, createHash(a.toLowerCase())] as const);
  for await (const chunk of createReadStream(file)) for (const [, h] of hashers) h.update(chunk as Buffer);
  return Object.fromEntries(hashers.map(([a, h]) => [a, h.digest('hex')]));
}

/**
 * `offline_download_transfer`: moves what a tool left in the staging folder into the target
 * folder through the task engine: the tree is planned into items (one per folder and file, so a
 * multi-file download keeps its folders), each file is streamed to the target storage, lands
 * atomically and is checked (size, and the hashes the target reports). Resumable like every task:
 * a restarted server takes up the files not yet done. The staged files go by the delete policy
 * once the task ended; nothing in the target folder that the task did not write is ever removed.
 */
export class TransferKind implements KindHandler {
  constructor(private readonly fs: VirtualFs) {}

  async plan(task: TaskRecord, onBatch: (items: PlannedItem[]) => Promise<void>, signal: AbortSignal): Promise<void> {
    const root = await lstat(task.src).catch(() => undefined);
    if (!root?.isDirectory()) throw new FsError('not_found', 'the downloaded files are gone from the staging folder');
    let batch: PlannedItem[] = [{ rel: '', isDir: true, size: 0 }];
    const queue = [''];
    while (queue.length > 0) {
      signal.throwIfAborted();
      const rel = queue.shift() as string;
      for (const e of await readdir(join(task.src, rel), { withFileTypes: true })) {
        const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
        // Only folders and regular files: a link in a download never leads the transfer elsewhere.
        if (e.isDirectory()) queue.push(childRel);
        else if (!e.isFile()) continue;
        const st = await lstat(join(task.src, childRel));
        batch.push({ rel: childRel, isDir: e.isDirectory(), size: e.isDirectory() ? 0 : st.size, mtime: st.mtime });
        if (batch.length >= PLAN_BATCH) {
          await onBatch(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await onBatch(batch);
  }

  touched(task: TaskRecord, item?: TaskItem): string[] {
    return [item ? targetOf(task, item) : task.dst];
  }

  async run(task: TaskRecord, item: TaskItem, ctx: ItemContext): Promise<{ skipped: boolean }> {
    const dst = targetOf(task, item);
    if (item.isDir) {
      const existing = await this.fs.lookup(dst);
      if (existing && !existing.isDir) throw new FsError('not_a_directory', `${dst} exists and is a file`);
      if (!existing) await this.fs.mkdir(dst);
      return { skipped: false };
    }
    const src = join(task.src, item.rel);
    const st = await lstat(src).catch(() => undefined);
    if (!st?.isFile()) throw new FsError('not_found', `${item.rel} is gone from the staging folder`);
    const source = createReadStream(src);
    const body = counted(source, ctx.onBytes);
    let written;
    try {
      written = await this.fs.write(dst, body.stream, { size: st.size, mtime: st.mtime, signal: ctx.signal });
    } finally {
      source.destroy();
    }
    if (body.count() !== st.size) throw new FsError('upstream_error', `read ${body.count()} of ${st.size} bytes of ${item.rel}`, { retryable: true });
    if (written.size !== st.size) throw new FsError('upstream_error', `${dst} holds ${written.size} bytes after writing ${st.size}`, { retryable: true });
    const reported = written.hashes ?? {};
    const mine = await localHashes(src, Object.keys(reported));
    for (const [algo, value] of Object.entries(mine)) {
      if ((reported[algo] ?? '').toLowerCase() !== value) throw new FsError('upstream_error', `${dst}: ${algo} differs from the downloaded file`, { retryable: true });
    }
    return { skipped: false };
  }

  async settled(task: TaskRecord): Promise<void> {
    if (deletesStaging(offlineOptions(task).deletePolicy, task.state === TaskState.Succeeded)) await removeStaging(task.src);
  }
}
