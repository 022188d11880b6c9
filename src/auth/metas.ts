import { createHash } from 'node:crypto';
import type { MetaRecord, MetaRepository } from '../db/repositories/index.js';
import { isWithin } from '../core/paths.js';

/** A compiled meta: the stored rule plus its hide patterns and its path as compared case-folded. */
export interface MetaRule extends MetaRecord {
  hidePatterns: RegExp[];
  folded: string;
}

/** Compiles newline-separated hide regexes; returns the first bad one's error. */
export function compileHide(hide: string): { patterns: RegExp[]; error?: string } {
  const patterns: RegExp[] = [];
  for (const line of hide.split('\n').map((l) => l.trim()).filter(Boolean)) {
    try {
      patterns.push(new RegExp(line));
    } catch (err) {
      return { patterns, error: `${line} is illegal: ${(err as Error).message}` };
    }
  }
  return { patterns };
}

export interface MetaServiceOptions {
  /**
   * Whether names at `path` compare case-insensitively (the storage mounted there says so): then
   * `/od/secret` is guarded by the meta of `/od/Secret`.
   */
  foldCase?: (path: string) => boolean;
}

const fold = (s: string) => s.toLowerCase();

/**
 * Per-path rules (AList's metas): password, write, hide, readme, header. A rule applies to its own
 * path, and below it with the `*_sub` flag. This service only answers which rules apply where; who
 * may do what is decided by the gate (`gate.ts`), never by a caller reading these rules itself.
 */
export class MetaService {
  private rules: MetaRule[] = [];
  private readonly foldCase: (path: string) => boolean;

  constructor(private readonly repo: MetaRepository, options: MetaServiceOptions = {}) {
    this.foldCase = options.foldCase ?? (() => false);
  }

  async reload(): Promise<void> {
    const { items } = await this.repo.list();
    this.rules = items
      .map((m) => ({ ...m, hidePatterns: compileHide(m.hide).patterns, folded: fold(m.path) }))
      .sort((a, b) => b.path.length - a.path.length);
    this.revision++;
  }

  /** Moves on with every reload: what is derived from the rules is cached against it. */
  revision = 0;

  /** Whether `path` is compared case-folded. */
  folds(path: string): boolean {
    return this.foldCase(path);
  }

  private same(a: MetaRule, path: string, folded: boolean): boolean {
    return folded ? a.folded === fold(path) : a.path === path;
  }

  /** Metas at `path` or above it, nearest first. */
  onTheWay(path: string): MetaRule[] {
    const f = this.foldCase(path);
    const p = f ? fold(path) : path;
    return this.rules.filter((r) => isWithin(p, f ? r.folded : r.path));
  }

  /** Metas strictly below `path` (what a copy, move or removal of `path` carries along). */
  below(path: string): MetaRule[] {
    const f = this.foldCase(path);
    const p = f ? fold(path) : path;
    return this.rules.filter((r) => {
      const q = f ? r.folded : r.path;
      return q !== p && isWithin(q, p);
    });
  }

  nearest(path: string): MetaRule | undefined {
    return this.onTheWay(path)[0];
  }

  /** Every meta password that guards `path` itself: each meta on the way that sets one (its own path, or below with p_sub). */
  passwordsFor(path: string): MetaRule[] {
    const f = this.foldCase(path);
    return this.onTheWay(path).filter((m) => m.password !== '' && (this.same(m, path, f) || m.pSub));
  }

  /** Whether a meta grants writing at `path` (the nearest meta decides, as in AList). */
  metaWrite(path: string): boolean {
    const m = this.nearest(path);
    return !!m && m.write && (this.same(m, path, this.foldCase(path)) || m.wSub);
  }

  /** A predicate telling which child names of `dir` hide rules on the way hide. */
  hiddenNames(dir: string): (name: string) => boolean {
    const f = this.foldCase(dir);
    const rules = this.onTheWay(dir).filter((m) => m.hidePatterns.length > 0 && (this.same(m, dir, f) || m.hSub));
    if (rules.length === 0) return () => false;
    return (name) => rules.some((m) => m.hidePatterns.some((re) => re.test(name)));
  }

  /**
   * A short version of the passwords guarding `path`: '' when none does; it changes whenever one
   * of them changes, so a signed link made before the change stops working.
   */
  passwordVersion(path: string): string {
    const guards = this.passwordsFor(path);
    if (guards.length === 0) return '';
    const h = createHash('sha256');
    for (const m of guards) h.update(`${m.id}\0${m.password}\0`);
    return h.digest('base64url').slice(0, 16);
  }

  /** A folder password's fingerprint: changes when the password does (a share keeps the ones it was made under). */
  static fingerprint(m: MetaRule): string {
    return createHash('sha256').update(`${m.id}\0${m.password}`).digest('base64url').slice(0, 22);
  }

  /** Fingerprints of the folder passwords guarding `path` and anything below it. */
  guardPrints(path: string): string[] {
    const rules = [...this.passwordsFor(path), ...this.below(path).filter((r) => r.password !== '')];
    return [...new Set(rules.map((r) => MetaService.fingerprint(r)))];
  }

  readme(path: string): string {
    const m = this.nearest(path);
    return m && (this.same(m, path, this.foldCase(path)) || m.rSub) ? m.readme : '';
  }

  header(path: string): string {
    const m = this.nearest(path);
    return m && (this.same(m, path, this.foldCase(path)) || m.headerSub) ? m.header : '';
  }
}
