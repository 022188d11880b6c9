import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A folder on disk as `relative path → sha256` (folders as `path/ → ''`); empty when it does not exist. */
export function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.set(`${r}/`, '');
        walk(join(dir, e.name), r);
      } else out.set(r, sha256(readFileSync(join(dir, e.name))));
    }
  };
  walk(root, '');
  return out;
}
