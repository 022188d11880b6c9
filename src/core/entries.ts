import type { Entry } from './storage/index.js';

/** An entry as core presents it: with its virtual path and the driver that serves it. */
export interface VEntry extends Entry {
  path: string;
  /** Driver id of the storage ("unknown" for virtual folders above mount points). */
  provider: string;
  /** A folder that exists only because a mount point lies below it. */
  virtual?: boolean;
  /** Served from the last good listing because the upstream failed. */
  stale?: boolean;
}
