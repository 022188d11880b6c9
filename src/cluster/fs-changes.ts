import { randomUUID } from 'node:crypto';
import type { FsChange } from '../core/virtual-fs.js';
import type { ChangeTopic } from '../db/notify.js';

/** Topic prefix of file-system change notices; the rest is JSON `{ i: instance, c: [[storageId, rel, tree 0|1], ...] }`. */
export const FS_TOPIC_PREFIX = 'fs:';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes; batches stay well under it. */
const MAX_PAYLOAD = 7000;

export interface FsNotice {
  /** The instance that made the changes. */
  instance: string;
  changes: FsChange[];
}

/** The notice in a topic, or undefined when the topic is not one (or is malformed). */
export function parseFsTopic(topic: ChangeTopic): FsNotice | undefined {
  if (!topic.startsWith(FS_TOPIC_PREFIX)) return undefined;
  try {
    const v = JSON.parse(topic.slice(FS_TOPIC_PREFIX.length)) as { i?: unknown; c?: unknown };
    if (typeof v.i !== 'string' || !Array.isArray(v.c)) return undefined;
    const changes: FsChange[] = [];
    for (const c of v.c) {
      if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'string') changes.push({ storageId: c[0], rel: c[1], tree: c[2] === 1 });
    }
    return { instance: v.i, changes };
  } catch {
    return undefined;
  }
}

/**
 * Tells the other instances on the database which folders this one changed, so their listing
 * caches do not serve a stale folder until it expires. Changes are gathered for `delayMs` (0: the
 * rest of the current turn) and sent in few notices (a thousand uploads into one folder is one
 * entry); sending is best effort.
 */
export class FsChangeBroadcaster {
  /** This process's id: its own notices come back to it and are skipped. */
  readonly instance = randomUUID();
  private pending = new Map<string, FsChange>();
  private timer: NodeJS.Timeout | undefined;
  private queued = false;

  constructor(
    private readonly publish: (topic: ChangeTopic) => Promise<boolean>,
    private readonly delayMs = 50,
  ) {}

  changed(change: FsChange): void {
    const key = `${change.storageId}\u0000${change.rel}`;
    const had = this.pending.get(key);
    this.pending.set(key, had ? { ...had, tree: had.tree || change.tree } : change);
    if (this.timer || this.queued) return;
    if (this.delayMs === 0) {
      // Sent before the request that made the change answers (SQLite workers: the next request
      // anywhere sees it), still one notice for every change of the same turn.
      this.queued = true;
      queueMicrotask(() => void this.flush());
      return;
    }
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
    this.timer.unref();
  }

  /** Sends what is pending now. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queued = false;
    const changes = [...this.pending.values()];
    this.pending = new Map();
    for (const topic of this.topics(changes)) await this.publish(topic);
  }

  private topics(changes: FsChange[]): ChangeTopic[] {
    const out: ChangeTopic[] = [];
    let batch: unknown[] = [];
    let size = 0;
    const emit = (): void => {
      if (batch.length > 0) out.push(FS_TOPIC_PREFIX + JSON.stringify({ i: this.instance, c: batch }));
      batch = [];
      size = 0;
    };
    for (const c of changes) {
      let item: unknown[] = [c.storageId, c.rel, c.tree ? 1 : 0];
      let len = Buffer.byteLength(JSON.stringify(item)) + 1;
      // A path too long to share a notice stands for its whole storage.
      if (len > MAX_PAYLOAD / 2) {
        item = [c.storageId, '', 1];
        len = Buffer.byteLength(JSON.stringify(item)) + 1;
      }
      if (size + len > MAX_PAYLOAD) emit();
      batch.push(item);
      size += len;
    }
    emit();
    return out;
  }
}
