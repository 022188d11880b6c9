import { PassThrough, type Readable } from 'node:stream';
import { FsError, isFsError } from '../../core/errors.js';
import type { Driver, DriverContext, Entry, Link, ReadOptions, ReadResult, RemoveOptions, WriteOptions } from '../../core/storage/index.js';
import { defineDriver } from '../define-driver.js';
import { baseName, checkTransfer, parentOf } from '../shared/rel-path.js';
import { Backends, consistent, passOn, type Probe } from './backends.js';
import { NameEscaper } from './escape.js';
import { type AliasKey, Layout, under } from './layout.js';
import { aliasMeta } from './meta.js';
import type { AliasOptions, PutPolicy, ReadPolicy, WritePolicy } from './options.js';
import { choose, shuffled } from './policy.js';

interface Ready {
  layout: Layout;
  names: NameEscaper;
  backends: Backends;
}

/** A folder a change goes into: the tree path of its nearest existing ancestor and what is missing below it. */
interface Target {
  root: string;
  existing: string;
  missing: string;
}

/** How long init waits for one configured folder to answer the loop check before it moves on. */
const LOOP_PROBE_MS = 2000;

/** Choices OpenList has that need what the tree does not give; each refused at init with why. */
function unsupported(o: AliasOptions): string | undefined {
  if (o.put_conflict_policy === 'quota' || o.put_conflict_policy === 'quota_strict') {
    return `put_conflict_policy "${o.put_conflict_policy}" is not supported: the tree gives no free space of the storages under an alias; use random or all`;
  }
  if (o.download_concurrency !== 0) return 'download_concurrency is not supported (downloads through an alias stream from one copy): set it to 0';
  if (o.download_part_size !== 0) return 'download_part_size is not supported (downloads through an alias stream from one copy): set it to 0';
  if (o.provider_pass_through) return 'provider_pass_through is not supported (entries carry no provider of their own): turn it off';
  if (o.details_pass_through) return 'details_pass_through is not supported (the tree gives no storage details): turn it off';
  return undefined;
}

/**
 * Copies one body into `n` streams at the pace of the slowest one still open; a stream destroyed
 * (its upload failed) stops counting. A failing body fails them all. (Readable.pipe to several
 * destinations stalls when one is destroyed before the body flows.)
 */
function tee(body: Readable, n: number): PassThrough[] {
  const outs = Array.from({ length: n }, () => new PassThrough());
  const open = () => outs.filter((o) => !o.destroyed);
  const resumeWhenDrained = (): void => {
    const full = open().filter((o) => o.writableNeedDrain);
    if (full.length === 0) {
      if (open().length > 0) body.resume();
      return;
    }
    let left = full.length;
    for (const o of full) {
      const done = () => {
        o.off('drain', done);
        o.off('close', done);
        if (--left === 0) resumeWhenDrained();
      };
      o.on('drain', done);
      o.on('close', done);
    }
  };
  body.on('data', (chunk: Buffer) => {
    let full = false;
    for (const o of open()) if (!o.write(chunk)) full = true;
    if (full || open().length === 0) {
      body.pause();
      resumeWhenDrained();
    }
  });
  body.once('end', () => {
    for (const o of open()) o.end();
  });
  body.once('error', (err) => {
    for (const o of outs) o.destroy(err);
  });
  return outs;
}

/** The parent folder of a tree path. */
const treeParent = (p: string): string => p.slice(0, p.lastIndexOf('/')) || '/';

/** OpenList's answer to any change while the policy that governs it is `disabled`. */
function refuseDisabled(policy: WritePolicy | PutPolicy, what: string): void {
  if (policy === 'disabled') choose(policy, [], what);
}

/** Runs `work` on each item in turn; every item is tried, the first failure is thrown after. */
async function eachOf<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let first: unknown;
  for (const item of items) {
    try {
      await work(item);
    } catch (err) {
      first ??= passOn(err);
    }
  }
  if (first !== undefined) throw first;
}

/**
 * Alias: folders of any mounts of the tree shown as one (OpenList's Alias). Built on
 * DriverContext.tree only; which copy reads, writes and changes act on is decided by the conflict
 * policies. See docs/drivers/alias.md.
 */
export class AliasDriver implements Driver {
  private state: Ready | undefined;

  constructor(
    private readonly o: AliasOptions,
    private readonly ctx: DriverContext,
  ) {}

  /** Parses the paths, refuses what is not supported, and refuses folders that lead back to this storage. */
  async init(signal: AbortSignal): Promise<void> {
    const why = unsupported(this.o);
    if (why) throw new FsError('invalid_input', `alias: ${why}`);
    const layout = new Layout(this.o.paths);
    const names = new NameEscaper(this.o.filename_escape, this.o.filename_escape_chars);
    await Promise.all(layout.allRoots().map((root) => this.refuseLoop(root, signal)));
    this.state = { layout, names, backends: new Backends(this.ctx.tree, names) };
  }

  /** A folder that is this storage, or reaches it through other virtual storages, fails init; others are not waited for. */
  private async refuseLoop(root: string, signal: AbortSignal): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LOOP_PROBE_MS);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([this.ctx.tree.stat(root).then(() => undefined), waited]);
    } catch (err) {
      if (isFsError(err, 'loop')) throw new FsError('loop', `alias: path ${root} leads back to this alias (${err.message}); an alias cannot show itself`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  private get s(): Ready {
    if (!this.state) throw new FsError('storage_unavailable', 'alias: not initialised yet', { retryable: true });
    return this.state;
  }

  /** The tree paths `path` of this alias may stand for (for the authorization gate), without look-ups. */
  realPaths(path: string): string[] {
    return this.state ? this.state.layout.realPaths(path, this.state.names) : [];
  }

  async stat(path: string): Promise<Entry> {
    if (path === '') return { name: '', isDir: true, size: 0 };
    const { key, sub } = this.inside(path, 'stat');
    const { entry } = Backends.primary(await this.s.backends.probe(key, sub), `stat "/${path}"`);
    return { ...entry, name: baseName(path) };
  }

  async *list(dir: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<Entry> {
    const { layout, backends } = this.s;
    if (dir === '' && layout.multi) {
      for (const k of layout.keys) yield { name: k.name, isDir: true, size: 0 };
      return;
    }
    const { key, sub } = this.inside(dir, 'list');
    yield* await backends.list(key, sub, options);
  }

  async read(path: string, options: ReadOptions = {}): Promise<ReadResult> {
    const copies = await this.readable(path, 'read');
    let last: unknown;
    for (const c of copies) {
      try {
        return await this.ctx.tree.read(c, options);
      } catch (err) {
        if (isFsError(err, 'invalid_input') || isFsError(err, 'aborted') || isFsError(err, 'loop')) throw err;
        last = passOn(err);
      }
    }
    throw last;
  }

  /** The backend's direct link for the copy the read policy picks; not_supported when no copy has one (core proxies). */
  async link(path: string): Promise<Link> {
    const copies = await this.readable(path, 'link');
    let last: unknown;
    for (const c of copies) {
      try {
        const link = await this.ctx.tree.link(c);
        if (link) return link;
      } catch (err) {
        if (isFsError(err, 'loop')) throw err;
        last = passOn(err);
      }
    }
    throw last ?? new FsError('not_supported', `link "/${path}": the storage holding it gives no direct link`);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<Entry> {
    const { key, sub } = this.changeable(path, 'write');
    const policy = this.o.put_conflict_policy as PutPolicy;
    refuseDisabled(policy, `write "/${path}"`);
    const targets = await this.targets(key, parentOf(sub), policy, `write "/${path}"`);
    const paths = targets.map((t) => this.placeIn(t, baseName(sub)));
    if (paths.length === 1) {
      const e = await this.ctx.tree.write(paths[0] as string, body, options).catch((err: unknown) => Promise.reject(passOn(err)));
      return { ...e, name: baseName(path) };
    }
    const bodies = tee(body, paths.length);
    // A target that fails stops taking the body, so the others do not wait for it.
    const one = (p: string, b: PassThrough) => this.ctx.tree.write(p, b, options).finally(() => b.destroy());
    const settled = await Promise.allSettled(paths.map((p, i) => one(p, bodies[i] as PassThrough)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      body.destroy();
      throw passOn(failed.reason);
    }
    const first = settled[0] as PromiseFulfilledResult<Entry>;
    return { ...first.value, name: baseName(path) };
  }

  async mkdir(path: string): Promise<void> {
    if (path === '') return;
    const { layout, backends } = this.s;
    if (layout.multi && !path.includes('/')) {
      if (layout.keys.some((k) => k.name === path)) return;
      this.changeable(path, 'mkdir');
    }
    const { key, sub } = this.inside(path, 'mkdir');
    const probes = await backends.probe(key, sub);
    const hit = probes.find((p) => p.state === 'found');
    if (hit?.state === 'found') {
      if (hit.entry.isDir) return;
      throw new FsError('already_exists', `mkdir "/${path}": a file is there`);
    }
    const policy = this.o.write_conflict_policy as WritePolicy;
    refuseDisabled(policy, `mkdir "/${path}"`);
    this.failedOf(probes);
    const targets = await this.targets(key, parentOf(sub), policy, `mkdir "/${path}"`);
    await eachOf(targets, (t) => this.ctx.tree.mkdir(this.placeIn(t, baseName(sub))));
  }

  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    if (path === '') throw new FsError('invalid_path', 'remove "/": cannot remove the storage root');
    const { key, sub } = this.changeable(path, 'remove');
    const probes = await this.s.backends.probe(key, sub);
    const chosen = this.chosenCopies(probes, this.o.write_conflict_policy as WritePolicy, `remove "/${path}"`);
    await eachOf(chosen, (p) => this.ctx.tree.remove(p, { recursive: options.recursive === true }));
  }

  async move(from: string, to: string): Promise<void> {
    checkTransfer('move', from, to);
    const src = this.changeable(from, 'move');
    const dst = this.changeable(to, 'move');
    const { backends } = this.s;
    const probes = await backends.probe(src.key, src.sub);
    const { entry } = Backends.primary(probes, `move "/${from}"`);
    if ((await backends.probe(dst.key, dst.sub)).some((p) => p.state === 'found')) throw new FsError('already_exists', `move "/${from}": "/${to}" already exists`);
    if (src.key === dst.key && parentOf(src.sub) === parentOf(dst.sub)) {
      // A rename: the write policy says which copies are renamed.
      const chosen = this.chosenCopies(probes, this.o.write_conflict_policy as WritePolicy, `rename "/${from}"`);
      const name = this.s.names.encode(baseName(to));
      await eachOf(chosen, (p) => this.ctx.tree.move(p, under(treeParent(p), name)));
      return;
    }
    await this.moveAcross(src.key, probes, entry, dst, `move "/${from}"`);
  }

  /**
   * A move to another folder (OpenList's getMoveObjs): the put policy picks the destination
   * folders; each takes one copy, from the same backend folder where there is one; copies left
   * over are removed, so the entry is gone from where it was.
   */
  private async moveAcross(srcKey: AliasKey, probes: Probe[], entry: Entry, dst: { key: AliasKey; sub: string }, what: string): Promise<void> {
    const policy = this.o.put_conflict_policy as PutPolicy;
    refuseDisabled(policy, what);
    const present = Backends.copies(probes, entry, this.o.file_consistency_check);
    const left = probes.flatMap((p, i) => (p.state === 'found' && present[i] ? [{ root: srcKey.roots[i] as string, path: p.path }] : []));
    const targets = await this.targets(dst.key, parentOf(dst.sub), policy, what);
    if (left.length < targets.length) throw new FsError('conflict', `alias: ${what}: cannot move fewer copies to more folders, please try copying`);
    const pairs: { from: string; to: string }[] = [];
    const open: Target[] = [];
    for (const t of targets) {
      const same = left.findIndex((s) => s.root === t.root);
      if (same < 0) open.push(t);
      else pairs.push({ from: left.splice(same, 1)[0]?.path as string, to: this.placeIn(t, baseName(dst.sub)) });
    }
    for (const t of open) pairs.push({ from: left.shift()?.path as string, to: this.placeIn(t, baseName(dst.sub)) });
    await eachOf(pairs, (p) => this.ctx.tree.move(p.from, p.to));
    await eachOf(left, (s) => this.ctx.tree.remove(s.path, { recursive: true }));
  }

  /** The tree paths of the copies `policy` acts on. */
  private chosenCopies(probes: Probe[], policy: WritePolicy, what: string): string[] {
    const { entry } = Backends.primary(probes, what);
    const present = Backends.copies(probes, entry, this.o.file_consistency_check);
    return choose(policy, present, what).map((i) => (probes[i] as { path: string }).path);
  }

  /** The copies a read may use, in the order to try them: the first only, or (random, all) every same-size copy shuffled. */
  private async readable(path: string, op: string): Promise<string[]> {
    const what = `${op} "/${path}"`;
    if (path === '') throw new FsError('is_a_directory', `${what}: is the storage root`);
    const { key, sub } = this.inside(path, op);
    const probes = await this.s.backends.probe(key, sub);
    const { entry, path: first } = Backends.primary(probes, what);
    if (entry.isDir) throw new FsError('is_a_directory', `${what}: is a folder`);
    const policy = this.o.read_conflict_policy as ReadPolicy;
    if (policy === 'first') return [first];
    // A copy of another size is never served for the one listed (its length would not match).
    const same = (e: Entry) => !e.isDir && (this.o.file_consistency_check ? consistent(entry, e) : e.size === entry.size);
    return shuffled(probes.flatMap((p) => (p.state === 'found' && same(p.entry) ? [p.path] : [])));
  }

  /**
   * The folders a new entry in `dirSub` goes into, as `policy` decides over the folders that have
   * `dirSub`; when none has it, over those that have its nearest existing ancestor (the missing
   * folders are created).
   */
  private async targets(key: AliasKey, dirSub: string, policy: WritePolicy | PutPolicy, what: string): Promise<Target[]> {
    let dir = dirSub;
    for (;;) {
      const probes = await this.s.backends.probe(key, dir);
      this.failedOf(probes);
      const present = probes.map((p) => p.state === 'found' && p.entry.isDir);
      if (present.some(Boolean)) {
        const missing = dirSub === dir ? '' : dirSub.slice(dir === '' ? 0 : dir.length + 1);
        return choose(policy, present, what).map((i) => ({ root: key.roots[i] as string, existing: (probes[i] as { path: string }).path, missing }));
      }
      if (probes.some((p) => p.state === 'found')) throw new FsError('not_a_directory', `${what}: "/${dir}" is a file`);
      if (dir === '') throw new FsError('not_found', `${what}: none of the alias's folders exists`);
      dir = parentOf(dir);
    }
  }

  /** The tree path of `name` in a target folder, the missing folders on the way spelled as the backend stores them. */
  private placeIn(t: Target, name: string): string {
    const rest = t.missing === '' ? name : `${t.missing}/${name}`;
    return under(t.existing, this.s.names.encodePath(rest));
  }

  /** Throws the first failure among the probes. */
  private failedOf(probes: Probe[]): void {
    const failed = probes.find((p) => p.state === 'failed');
    if (failed?.state === 'failed') throw failed.error;
  }

  private inside(path: string, op: string): { key: AliasKey; sub: string } {
    const place = this.s.layout.place(path);
    if (place.kind === 'top') throw new FsError('is_a_directory', `${op} "/": is the storage root`);
    return place;
  }

  /** Like `inside`, refusing the names in the root of an alias of several names: they are its configuration. */
  private changeable(path: string, op: string): { key: AliasKey; sub: string } {
    if (this.s.layout.multi && !path.includes('/')) throw new FsError('permission_denied', `${op} "/${path}": the root of this alias holds its configured names only`);
    return this.inside(path, op);
  }
}

export const aliasDriver = defineDriver({
  ...aliasMeta,
  create: (options, ctx) => new AliasDriver(options, ctx),
});
