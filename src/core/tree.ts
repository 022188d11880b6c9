import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable } from 'node:stream';
import { FsError } from './errors.js';
import { isWithin, normalizePath } from './paths.js';
import type { Entry, Link, ReadOptions, ReadResult, RemoveOptions, Tree, WriteOptions } from './storage/index.js';
import type { VirtualFs } from './virtual-fs.js';

/** Mount paths of the virtual storages whose calls into the tree are under way, outermost first. */
const chain = new AsyncLocalStorage<readonly string[]>();

/** How deep virtual storages may stack (an alias of a crypt of an alias ...) before it counts as a loop. */
const MAX_DEPTH = 8;

function loop(via: readonly string[], target: string): FsError {
  return new FsError('loop', `storage loop: ${[...via, target].join(' → ')} reaches a storage already on the way`);
}

/**
 * The tree as the mount at `self` sees it. A call for a path at or below `self`, or below a
 * virtual storage already on the way to this call, fails with `loop`, so an alias of itself, or
 * two aliases of each other, answer an error instead of recursing.
 */
export function treeFor(getFs: () => VirtualFs, self: string): Tree {
  const me = normalizePath(self);
  const enter = <T>(paths: string[], work: (fs: VirtualFs, ...p: string[]) => Promise<T>): Promise<T> => {
    const via = chain.getStore() ?? [];
    const on = [...via, me];
    const fs = getFs();
    const ps = paths.map(normalizePath);
    for (const p of ps) {
      const target = fs.mountOf(p)?.path;
      if (isWithin(p, me) || (target !== undefined && on.includes(target)) || on.length > MAX_DEPTH) throw loop(on, target ?? p);
    }
    return chain.run(on, () => work(fs, ...ps));
  };
  return {
    stat: (path): Promise<Entry> => enter([path], (fs, p) => fs.stat(p as string)),
    list: (path, options): Promise<Entry[]> => enter([path], async (fs, p) => (await fs.list(p as string, options)).entries),
    read: (path, options?: ReadOptions): Promise<ReadResult> => enter([path], (fs, p) => fs.read(p as string, options)),
    write: (path, body: Readable, options?: WriteOptions): Promise<Entry> => enter([path], (fs, p) => fs.write(p as string, body, options)),
    mkdir: (path): Promise<void> => enter([path], (fs, p) => fs.mkdir(p as string, { createParents: true })),
    remove: (path, options?: RemoveOptions): Promise<void> => enter([path], (fs, p) => fs.remove(p as string, options)),
    move: (from, to): Promise<void> => enter([from, to], (fs, p, q) => fs.move(p as string, q as string)),
    // A storage set to proxy its downloads (web_proxy) hands no direct link out through another either.
    link: (path): Promise<Link | undefined> => enter([path], async (fs, p) => (fs.mountOf(p as string)?.spec.policy.webProxy ? undefined : fs.link(p as string))),
  };
}

/**
 * Every other tree path `path` stands for through the virtual storages that say so
 * (Driver.realPaths: an Alias names the folders it merges), followed to any depth (an alias of an
 * alias), for the authorization gate. Lexical: asks no storage. A storage that is not ready has
 * nothing to answer and serves nothing.
 */
export function realPathsOf(fs: VirtualFs, path: string): string[] {
  const out = new Set<string>();
  const visit = (p: string, depth: number): void => {
    const r = fs.resolve(p);
    if (!r || depth > MAX_DEPTH) return;
    let reals: string[];
    try {
      reals = r.mount.driver().realPaths?.(r.rel) ?? [];
    } catch {
      return;
    }
    for (const q of reals.map(normalizePath)) {
      if (q === p || out.has(q)) continue;
      out.add(q);
      visit(q, depth + 1);
    }
  };
  visit(normalizePath(path), 0);
  return [...out];
}
