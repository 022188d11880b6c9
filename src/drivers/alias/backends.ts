import { FsError, isFsError } from '../../core/errors.js';
import type { Entry, Tree } from '../../core/storage/index.js';
import type { NameEscaper } from './escape.js';
import { type AliasKey, under } from './layout.js';

/** What one merged folder holds at a path: the entry and the tree path it was found at, nothing, or a failure. */
export type Probe = { state: 'found'; path: string; entry: Entry } | { state: 'missing' } | { state: 'failed'; error: unknown };

/**
 * A tree error as the alias passes it on: a backend's refused credentials stay retryable here, so
 * one backend needing a new token never marks the alias itself as needing one.
 */
export function passOn(err: unknown): unknown {
  if (isFsError(err, 'unauthorized_upstream') && !err.retryable) return new FsError('unauthorized_upstream', err.message, { cause: err, retryable: true });
  return err;
}

const isMissing = (err: unknown) => isFsError(err, 'not_found') || isFsError(err, 'not_a_directory');

/** Same size, and no digest both give that differs (OpenList's isConsistent). */
export function consistent(a: Entry, b: Entry): boolean {
  if (a.size !== b.size) return false;
  for (const [alg, v] of Object.entries(a.hashes ?? {})) {
    const w = b.hashes?.[alg];
    if (w !== undefined && w !== '' && w !== v) return false;
  }
  return true;
}

/** The merged folders of one alias name, reached through the tree. */
export class Backends {
  constructor(
    private readonly tree: Tree,
    private readonly names: NameEscaper,
  ) {}

  /** The tree paths `sub` may be stored at below `root`: escaped first, then as spelled. */
  spellings(root: string, sub: string): string[] {
    const escaped = under(root, this.names.encodePath(sub));
    const plain = under(root, sub);
    return escaped === plain ? [plain] : [escaped, plain];
  }

  /** What each folder of `key` holds at `sub`, in the order of `paths`. A storage loop fails the call. */
  async probe(key: AliasKey, sub: string): Promise<Probe[]> {
    const probes = await Promise.all(key.roots.map((root) => this.probeOne(root, sub)));
    const looped = probes.find((p) => p.state === 'failed' && isFsError(p.error, 'loop'));
    if (looped?.state === 'failed') throw looped.error;
    return probes;
  }

  private async probeOne(root: string, sub: string): Promise<Probe> {
    for (const path of this.spellings(root, sub)) {
      try {
        return { state: 'found', path, entry: await this.tree.stat(path) };
      } catch (err) {
        if (!isMissing(err)) return { state: 'failed', error: passOn(err) };
      }
    }
    return { state: 'missing' };
  }

  /** The entry the alias shows at a path: the first folder's that has it; the first failure, or not_found, when none has. */
  static primary(probes: readonly Probe[], what: string): { path: string; entry: Entry; index: number } {
    const index = probes.findIndex((p) => p.state === 'found');
    const hit = probes[index];
    if (hit?.state === 'found') return { path: hit.path, entry: hit.entry, index };
    const failed = probes.find((p) => p.state === 'failed');
    if (failed?.state === 'failed') throw failed.error;
    throw new FsError('not_found', `${what}: no such file or folder`);
  }

  /**
   * Whether each folder holds a copy of the primary entry: the same kind and, for files with
   * `check`, the same size and digests. A folder that failed to answer fails the call: a change
   * must not be decided on a guess.
   */
  static copies(probes: readonly Probe[], primary: Entry, check: boolean): boolean[] {
    const failed = probes.find((p) => p.state === 'failed');
    if (failed?.state === 'failed') throw failed.error;
    return probes.map((p) => p.state === 'found' && p.entry.isDir === primary.isDir && (primary.isDir || !check || consistent(primary, p.entry)));
  }

  /**
   * Lists `sub` in every folder of `key` and merges the listings in order, the first folder
   * having a name winning it. The first folder holding the path decides what it is: a file there
   * is not_a_directory. Folders that fail are left out unless none answers.
   */
  async list(key: AliasKey, sub: string, options: { signal?: AbortSignal }): Promise<Entry[]> {
    type Listed = { state: 'ok'; entries: Entry[] } | { state: 'file' } | { state: 'missing' } | { state: 'failed'; error: unknown };
    const one = async (root: string): Promise<Listed> => {
      let file = false;
      for (const path of this.spellings(root, sub)) {
        try {
          return { state: 'ok', entries: await this.tree.list(path, options) };
        } catch (err) {
          if (isFsError(err, 'not_a_directory')) file = true;
          else if (!isFsError(err, 'not_found')) return { state: 'failed', error: passOn(err) };
        }
      }
      return file ? { state: 'file' } : { state: 'missing' };
    };
    const listed = await Promise.all(key.roots.map(one));
    const looped = listed.find((l) => l.state === 'failed' && isFsError(l.error, 'loop'));
    if (looped?.state === 'failed') throw looped.error;
    const first = listed.findIndex((l) => l.state === 'ok' || l.state === 'file');
    if (first < 0) {
      const failed = listed.find((l) => l.state === 'failed');
      if (failed?.state === 'failed') throw failed.error;
      throw new FsError('not_found', `list "/${sub}": no such folder`);
    }
    if (listed[first]?.state === 'file') throw new FsError('not_a_directory', `list "/${sub}": not a folder`);
    const merged = new Map<string, Entry>();
    for (const l of listed.slice(first)) {
      if (l.state !== 'ok') continue;
      for (const e of l.entries) {
        const name = this.names.decode(e.name);
        if (!merged.has(name)) merged.set(name, name === e.name ? e : { ...e, name });
      }
    }
    return [...merged.values()];
  }
}
