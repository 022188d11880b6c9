import type { Readable } from 'node:stream';
import type { ReadOptions, ReadResult } from './storage/index.js';
import { joinPath } from './paths.js';

/** The part of VirtualFs that streaming copies need. */
export interface TransferFs {
  stat(path: string): Promise<{ isDir: boolean; mtime?: Date }>;
  list(path: string): Promise<{ entries: { name: string }[] }>;
  read(path: string, options?: ReadOptions): Promise<ReadResult>;
  write(path: string, body: Readable, req: { size?: number; mtime?: Date; signal?: AbortSignal }): Promise<unknown>;
  mkdir(path: string): Promise<void>;
}

/**
 * Copies a file or a whole folder by streaming through core, one file at a time with
 * back-pressure. Each file lands atomically at its destination (the driver's write contract);
 * the source is never touched.
 */
export async function copyTree(fs: TransferFs, src: string, dst: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const entry = await fs.stat(src);
  if (!entry.isDir) {
    const r = await fs.read(src, { signal });
    try {
      await fs.write(dst, r.stream, { size: r.size, mtime: entry.mtime, signal });
    } finally {
      r.stream.destroy();
    }
    return;
  }
  await fs.mkdir(dst);
  const { entries } = await fs.list(src);
  for (const child of entries) {
    await copyTree(fs, joinPath(src, child.name), joinPath(dst, child.name), signal);
  }
}
