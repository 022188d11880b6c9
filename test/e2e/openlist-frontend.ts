import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The official OpenList web UI on npm; `npm install` of it needs GitHub tarballs, `npm pack` does not. */
export const OPENLIST_FRONTEND = '@openlist-frontend/openlist-frontend@4.2.6';
/** Cached under node_modules (ignored by git): fetched once, never committed. */
const CACHE = join(ROOT, 'node_modules/.cache/openlist-frontend-4.2.6');

export type Fetched = { dist: string } | { skip: string };

/**
 * The `dist/` of the OpenList frontend package, fetched with `npm pack` into the cache on first
 * use. A failed fetch skips the suite with its reason, except under CI=true, where it throws.
 */
export function openlistFrontend(): Fetched {
  const dist = join(CACHE, 'package/dist');
  if (existsSync(join(dist, 'index.html'))) return { dist };
  try {
    const tmp = `${CACHE}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    execFileSync('npm', ['pack', OPENLIST_FRONTEND, '--pack-destination', tmp, '--silent'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack made no tarball');
    execFileSync('tar', ['xzf', tarball], { cwd: tmp, timeout: 120_000 });
    rmSync(join(tmp, tarball));
    if (!existsSync(join(tmp, 'package/dist/index.html'))) throw new Error('the package has no dist/index.html');
    rmSync(CACHE, { recursive: true, force: true });
    renameSync(tmp, CACHE);
    return { dist };
  } catch (err) {
    const reason = `cannot fetch ${OPENLIST_FRONTEND} with npm pack (is the npm registry reachable?): ${(err as Error).message.split('\n')[0]}`;
    if (process.env.CI === 'true') throw new Error(reason, { cause: err });
    return { skip: reason };
  }
}
