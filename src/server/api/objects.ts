import { signPath } from '../../auth/sign.js';
import type { Gate } from '../../auth/gate.js';
import type { MountPolicy, MountSpec } from '../../core/mount.js';
import type { VEntry } from '../../core/virtual-fs.js';
import type { SettingsService } from '../../settings/settings-service.js';
import type { FsObject } from '../../wire/fs.js';

/** The setting lists that name AList's object types, with their numbers. */
const TYPE_LISTS: readonly [string, number][] = [['video_types', 2], ['audio_types', 3], ['text_types', 4], ['image_types', 5]];

const ZERO_TIME = '0001-01-01T00:00:00Z';

export type ApiObject = FsObject;

export interface Signer {
  /** The sign for a file at an absolute virtual path, or "" when none is needed. */
  signFor(path: string, mount: MountSpec | undefined): string;
  /** Always a sign, for links the server hands out itself. */
  sign(path: string): string;
}

/**
 * Signs are made with the server's own signing key (never the admin token), expire after
 * `link_expiration` hours, and are bound to the version of the folder passwords guarding the
 * path: changing one voids them.
 */
export function signer(settings: SettingsService, gate: Gate): Signer {
  const sign = (path: string) => signPath(settings.signKey(), path, settings.linkExpirationHours(), Date.now(), gate.linkVersion(path));
  return {
    sign,
    signFor: (path, mount) => {
      const needed = settings.bool('sign_all') || mount?.policy.enableSign === true || gate.guarded(path);
      return needed ? sign(path) : '';
    },
  };
}

/** Natural name order ("file2" before "file10"); one collator, since building one per compare is slow. */
const NAME_ORDER = new Intl.Collator(undefined, { numeric: true });

/**
 * Storage entries as AList's objects, for one app: keeps the extension → type map of the current
 * settings revision (a listing asks for every entry) and sorted copies of listings while the
 * listing array lives (a cached listing is the same array until the cache drops it), one per
 * order policy.
 */
export class ObjectMapper {
  private types: { revision: number; byExt: Map<string, number> } | undefined;
  private readonly sortedListings = new WeakMap<readonly VEntry[], Map<string, VEntry[]>>();

  constructor(private readonly settings: SettingsService) {}

  private typesByExt(): Map<string, number> {
    if (this.types && this.types.revision === this.settings.revision) return this.types.byExt;
    const byExt = new Map<string, number>();
    // The first list naming an extension wins, as the lists are read in order.
    for (const [key, type] of TYPE_LISTS) for (const ext of this.settings.get(key).split(',')) if (!byExt.has(ext)) byExt.set(ext, type);
    this.types = { revision: this.settings.revision, byExt };
    return byExt;
  }

  /** AList's object type numbers: 0 unknown, 1 folder, 2 video, 3 audio, 4 text, 5 image. */
  type(name: string, isDir: boolean): number {
    if (isDir) return 1;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return 0;
    return this.typesByExt().get(name.slice(dot + 1).toLowerCase()) ?? 0;
  }

  toObject(e: VEntry, sign: string): ApiObject {
    const modified = e.mtime ? e.mtime.toISOString() : ZERO_TIME;
    const hashes = e.hashes && Object.keys(e.hashes).length > 0 ? e.hashes : null;
    return {
      name: e.name,
      size: e.isDir ? 0 : e.size,
      is_dir: e.isDir,
      modified,
      created: e.ctime ? e.ctime.toISOString() : modified,
      sign: e.isDir ? '' : sign,
      thumb: '',
      type: this.type(e.name, e.isDir),
      hashinfo: JSON.stringify(hashes),
      hash_info: hashes,
    };
  }

  /** Sorts entries by the storage's order settings (name ascending by default), folders as set. */
  sort(entries: readonly VEntry[], order: Pick<MountPolicy, 'orderBy' | 'orderDirection' | 'extractFolder'> | undefined): readonly VEntry[] {
    const by = order?.orderBy || 'name';
    const dir = order?.orderDirection === 'desc' ? -1 : 1;
    const folders = order?.extractFolder;
    const key = `${by}\0${dir}\0${folders ?? ''}`;
    let memo = this.sortedListings.get(entries);
    const had = memo?.get(key);
    if (had) return had;
    const cmp = (a: VEntry, b: VEntry): number => {
      if (by === 'size') return (a.size - b.size) * dir;
      if (by === 'modified') return ((a.mtime?.getTime() ?? 0) - (b.mtime?.getTime() ?? 0)) * dir;
      return NAME_ORDER.compare(a.name, b.name) * dir;
    };
    let sorted = [...entries].sort(cmp);
    if (folders === 'front' || folders === 'back') {
      const d = sorted.filter((e) => e.isDir);
      const f = sorted.filter((e) => !e.isDir);
      sorted = folders === 'front' ? [...d, ...f] : [...f, ...d];
    }
    if (!memo) this.sortedListings.set(entries, (memo = new Map()));
    memo.set(key, sorted);
    return sorted;
  }
}
