import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Tree } from '../../core/storage/index.js';
import type { Place } from './sources.js';
import type { View } from './view.js';

export type MirrorMode = 'insert' | 'update' | 'sync';

export interface MirrorOptions {
  /** SaveStrmLocalPath: the local folder the view is mirrored into. */
  root: string;
  mode: MirrorMode;
  tree: Tree;
  logger: Logger;
  /** What the .strm of a tree path holds now. */
  text(source: string): string;
}

/** A name that is safe as one local path segment. */
const safeName = (name: string): boolean => name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);

/**
 * SaveStrmToLocal: each folder the view lists is written into `root/<name>/<sub-path>`, as
 * OpenList's hook does: its .strm files (with the URL they hold now) and its download-type files
 * (copied). `insert` writes only files missing locally, `update` also rewrites those that
 * differ, `sync` also deletes local files and folders the folder no longer has. Jobs run one
 * at a time, after the listing has answered; failures are logged, never thrown at the lister.
 */
export class LocalMirror {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: MirrorOptions) {}

  schedule(place: Place, views: readonly View[]): void {
    const parts = [place.key, ...(place.sub === '' ? [] : place.sub.split('/'))];
    if (!parts.every(safeName)) return;
    const dir = join(this.o.root, ...parts);
    const listed = views.filter((v) => safeName(v.entry.name));
    this.chain = this.chain.then(() => this.mirror(dir, listed)).catch((err: unknown) => this.o.logger.warn({ err, dir }, 'strm: saving to the local folder failed'));
  }

  /** Resolves once every scheduled job has run. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async mirror(dir: string, views: readonly View[]): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const v of views) {
      if (v.kind === 'dir' || v.other || v.source === undefined) continue;
      try {
        if (v.kind === 'strm') await this.putText(join(dir, v.entry.name), this.o.text(v.source));
        else if (v.kind === 'file') await this.putCopy(join(dir, v.entry.name), v);
      } catch (err) {
        this.o.logger.warn({ err, file: join(dir, v.entry.name) }, 'strm: could not save a file locally');
      }
    }
    if (this.o.mode === 'sync') await this.prune(dir, views);
  }

  private async putText(file: string, text: string): Promise<void> {
    const had = await readFile(file, 'utf8').catch(() => undefined);
    if (had !== undefined && (this.o.mode === 'insert' || had === text)) return;
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }

  private async putCopy(file: string, v: View): Promise<void> {
    const had = await stat(file).catch(() => undefined);
    if (had && (this.o.mode === 'insert' || had.size === v.entry.size)) return;
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    const { stream } = await this.o.tree.read(v.source as string);
    try {
      await pipeline(stream, createWriteStream(tmp));
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Deletes what the local folder has beyond the view's entries (files beyond files, folders beyond folders). */
  private async prune(dir: string, views: readonly View[]): Promise<void> {
    const files = new Set(views.filter((v) => !v.entry.isDir && !v.other).map((v) => v.entry.name));
    const dirs = new Set(views.filter((v) => v.entry.isDir).map((v) => v.entry.name));
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const keep = d.isDirectory() ? dirs.has(d.name) : files.has(d.name);
      if (!keep) await rm(join(dir, d.name), { recursive: true, force: true });
    }
  }
}
