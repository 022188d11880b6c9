import type { Mount } from './mount.js';
import { isWithin, relativeTo } from './paths.js';

export interface Resolved {
  mount: Mount;
  /** Path inside the mount, driver-relative ("" for the mount root). */
  rel: string;
}

export interface VirtualChild {
  name: string;
  /** The mount whose mount point this child is, when it is exactly one. */
  mount: Mount | undefined;
  order: number;
  modified: Date;
}

/** Mount points by virtual path: longest-prefix resolution and virtual parent folders. */
export class MountTable {
  private readonly byPath = new Map<string, Mount>();
  /** Mount paths sorted longest first, for prefix resolution. */
  private sorted: string[] = [];

  set(mount: Mount): void {
    this.byPath.set(mount.path, mount);
    this.resort();
  }

  delete(path: string): void {
    this.byPath.delete(path);
    this.resort();
  }

  get(path: string): Mount | undefined {
    return this.byPath.get(path);
  }

  all(): Mount[] {
    return [...this.byPath.values()];
  }

  /** The mount with the longest mount path that contains `path` (normalised). */
  resolve(path: string): Resolved | undefined {
    for (const mp of this.sorted) {
      if (isWithin(path, mp)) {
        const mount = this.byPath.get(mp);
        if (mount) return { mount, rel: relativeTo(path, mp) };
      }
    }
    return undefined;
  }

  /** Names directly below `dir` that lead to a mount point (virtual folders), with the mount they are. */
  children(dir: string): VirtualChild[] {
    const out = new Map<string, VirtualChild>();
    for (const [mp, mount] of this.byPath) {
      if (mp === dir || !isWithin(mp, dir)) continue;
      const rest = relativeTo(mp, dir);
      const name = rest.split('/')[0] ?? rest;
      const exact = rest === name;
      const prev = out.get(name);
      if (!prev || exact) {
        out.set(name, { name, mount: exact ? mount : prev?.mount, order: mount.spec.order, modified: mount.spec.modified });
      }
    }
    return [...out.values()].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  }

  /** True when some mount lies strictly below `dir`. */
  hasMountsBelow(dir: string): boolean {
    for (const mp of this.byPath.keys()) if (mp !== dir && isWithin(mp, dir)) return true;
    return false;
  }

  private resort(): void {
    this.sorted = [...this.byPath.keys()].sort((a, b) => b.length - a.length);
  }
}
