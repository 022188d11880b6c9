/** One object of `/api/fs/list` and `/api/fs/get`, as AList answers it. */
export interface FsObject {
  name: string;
  size: number;
  is_dir: boolean;
  modified: string;
  created: string;
  sign: string;
  thumb: string;
  /** AList's object type numbers: 0 unknown, 1 folder, 2 video, 3 audio, 4 text, 5 image. */
  type: number;
  hashinfo: string;
  hash_info: Record<string, string> | null;
}

/** `data` of `/api/fs/list`. */
export interface FsList {
  content: FsObject[] | null;
  total: number;
  readme: string;
  header: string;
  write: boolean;
  provider: string;
  /** Set when the server served a cached listing because the storage failed. */
  stale?: boolean;
  /** When the served (cached) listing was last fetched from the storage. */
  stale_since?: string;
  /** Why the storage failed (its last error), with `stale`. */
  stale_reason?: string;
}

/** `data` of `/api/fs/get`. */
export interface FsGet extends FsObject {
  raw_url: string;
  readme: string;
  header: string;
  provider: string;
  related: null;
  stale?: boolean;
}
