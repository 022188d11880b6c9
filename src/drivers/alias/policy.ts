import { FsError } from '../../core/errors.js';
import type { PutPolicy, WritePolicy } from './options.js';

/** What OpenList names ErrPathConflict: the policy wants one copy and there are several. */
const conflict = (what: string) => new FsError('conflict', `alias: path conflict: ${what} exists in more than one of the merged folders (write policy deterministic)`);
/** OpenList's ErrSamePathLeak: the policy wants every copy (or just one) and only some folders have it. */
const leak = (what: string) => new FsError('conflict', `alias: leak some of same-name dirs: ${what} exists in some of the merged folders but not all`);

/**
 * Which of the merged folders a change acts on, as OpenList's write and put conflict policies
 * decide: `present[i]` tells whether folder i (in the order of `paths`) holds the entry (the
 * folder to write into, or the entry to remove or rename). Returns their indexes.
 *
 * - first: the first that has it; all: every one that has it; random: one of those at random;
 * - deterministic: the one that has it, a conflict when several do;
 * - deterministic_or_all: the one that has it, or every folder when all have it, else a conflict;
 * - all_strict: every folder, a conflict unless all have it.
 */
export function choose(policy: WritePolicy | PutPolicy, present: readonly boolean[], what: string, random: () => number = Math.random): number[] {
  if (policy === 'disabled') throw new FsError('permission_denied', `alias: ${what}: writing is disabled by the alias's conflict policy ("disabled")`);
  if (policy === 'quota' || policy === 'quota_strict') throw new FsError('not_supported', `alias: put_conflict_policy ${policy} is not supported`);
  const have = present.flatMap((p, i) => (p ? [i] : []));
  if (have.length === 0) throw new FsError('not_found', `alias: ${what}: no such file or folder`);
  const all = have.length === present.length;
  switch (policy) {
    case 'first':
      return have.slice(0, 1);
    case 'deterministic':
      if (have.length > 1) throw conflict(what);
      return have;
    case 'deterministic_or_all':
      if (have.length > 1 && !all) throw leak(what);
      return have;
    case 'all':
      return have;
    case 'all_strict':
      if (!all) throw leak(what);
      return have;
    case 'random':
      return [have[Math.floor(random() * have.length)] as number];
  }
}

/** `items` in a random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
