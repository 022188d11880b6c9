/** Maps driver paths ("" is the root, no slashes at either end) to S3 keys under the root prefix. */
export class KeyMap {
  /** "" or a prefix ending in "/". */
  readonly rootPrefix: string;

  constructor(rootFolderPath: string, readonly placeholder: string) {
    const trimmed = rootFolderPath.replace(/^\/+|\/+$/g, '');
    this.rootPrefix = trimmed === '' ? '' : `${trimmed}/`;
  }

  /** The object key of a file. */
  key(path: string): string {
    return this.rootPrefix + path;
  }

  /** The prefix that holds a folder's content. */
  dirPrefix(path: string): string {
    return path === '' ? this.rootPrefix : `${this.rootPrefix}${path}/`;
  }

  /** The key of a folder's placeholder object. */
  placeholderKey(path: string): string {
    return this.dirPrefix(path) + this.placeholder;
  }

  /** True for objects that only mark a folder: its placeholder or a "folder/" marker. */
  isMarker(key: string, dirPrefix: string): boolean {
    return key === dirPrefix || key === dirPrefix + this.placeholder;
  }

  /** The driver path of a key below the root. */
  pathOf(key: string): string {
    return key.slice(this.rootPrefix.length);
  }
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Percent-encodes a key for CopySource: each segment encoded, slashes kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
