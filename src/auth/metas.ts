import type { MetaRecord, MetaRepository } from '../db/repositories/index.js';
import { isWithin } from '../core/paths.js';
import { Perm } from './permissions.js';
import { type Principal, can, isAdmin } from './principal.js';

/** A compiled meta: the stored rule plus its hide patterns. */
interface Rule extends MetaRecord {
  hidePatterns: RegExp[];
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

/**
 * Per-path rules (AList's metas): password, write, hide, readme, header. The nearest meta
 * (longest path prefix) wins; it applies to its own path, and below it only with the `*_sub` flag.
 */
export class MetaService {
  private rules: Rule[] = [];

  constructor(private readonly repo: MetaRepository) {}

  async reload(): Promise<void> {
    const { items } = await this.repo.list();
    this.rules = items
      .map((m) => ({ ...m, hidePatterns: compileHide(m.hide).patterns }))
      .sort((a, b) => b.path.length - a.path.length);
  }

  nearest(path: string): Rule | undefined {
    return this.rules.find((r) => isWithin(path, r.path));
  }

  /** The meta password that guards `path`, if any. */
  passwordFor(path: string): string | undefined {
    const m = this.nearest(path);
    return m && m.password && (m.path === path || m.pSub) ? m.password : undefined;
  }

  canAccess(p: Principal, path: string, password: string | undefined): boolean {
    if (isAdmin(p) || can(p, Perm.AccessWithoutPassword)) return true;
    const required = this.passwordFor(path);
    return required === undefined || required === (password ?? '');
  }

  canWrite(p: Principal, path: string): boolean {
    if (can(p, Perm.Write)) return true;
    if (p.scope === 'read') return false;
    const m = this.nearest(path);
    return !!m && m.write && (m.path === path || m.wSub);
  }

  /** A predicate telling which child names of `dir` are hidden from this principal. */
  hiddenIn(p: Principal, dir: string): (name: string) => boolean {
    if (isAdmin(p) || can(p, Perm.SeeHidden)) return () => false;
    const m = this.nearest(dir);
    if (!m || m.hidePatterns.length === 0 || !(m.path === dir || m.hSub)) return () => false;
    return (name) => m.hidePatterns.some((re) => re.test(name));
  }

  readme(path: string): string {
    const m = this.nearest(path);
    return m && (m.path === path || m.rSub) ? m.readme : '';
  }

  header(path: string): string {
    const m = this.nearest(path);
    return m && (m.path === path || m.headerSub) ? m.header : '';
  }
}
