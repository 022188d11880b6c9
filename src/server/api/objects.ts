import { signPath } from '../../auth/sign.js';
import type { Gate } from '../../auth/gate.js';
import type { MountSpec } from '../../core/mount.js';
import type { VEntry } from '../../core/virtual-fs.js';
import type { SettingsService } from '../../settings/settings-service.js';

/** AList's object type numbers: 0 unknown, 1 folder, 2 video, 3 audio, 4 text, 5 image. */
export function objType(name: string, isDir: boolean, settings: SettingsService): number {
  if (isDir) return 1;
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 0;
  const ext = name.slice(dot + 1).toLowerCase();
  const lists: [string, number][] = [['video_types', 2], ['audio_types', 3], ['text_types', 4], ['image_types', 5]];
  for (const [key, type] of lists) if (settings.get(key).split(',').includes(ext)) return type;
  return 0;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ApiObject {
  name: string;
  size: number;
  is_dir: boolean;
  modified: string;
  created: string;
  sign: string;
  thumb: string;
  type: number;
  hashinfo: string;
  hash_info: Record<string, string> | null;
}

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

export function toObject(e: VEntry, settings: SettingsService, sign: string): ApiObject {
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
    type: objType(e.name, e.isDir, settings),
    hashinfo: JSON.stringify(hashes),
    hash_info: hashes,
  };
}

/** Sorts entries by the storage's order settings (name ascending by default), folders as set. */
export function sortEntries(entries: VEntry[], mount: MountSpec | undefined): VEntry[] {
  const by = mount?.policy.orderBy || 'name';
  const dir = mount?.policy.orderDirection === 'desc' ? -1 : 1;
  const cmp = (a: VEntry, b: VEntry): number => {
    if (by === 'size') return (a.size - b.size) * dir;
    if (by === 'modified') return ((a.mtime?.getTime() ?? 0) - (b.mtime?.getTime() ?? 0)) * dir;
    return a.name.localeCompare(b.name, undefined, { numeric: true }) * dir;
  };
  const sorted = [...entries].sort(cmp);
  const folders = mount?.policy.extractFolder;
  if (folders === 'front' || folders === 'back') {
    const d = sorted.filter((e) => e.isDir);
    const f = sorted.filter((e) => !e.isDir);
    return folders === 'front' ? [...d, ...f] : [...f, ...d];
  }
  return sorted;
}
