import type { TaskInfo } from '../api/tasks';

interface Sample {
  at: number;
  bytes: number;
}

export interface Rate {
  /** Bytes per second over the last few samples, or null before there are two. */
  speed: number | null;
  /** Seconds left at that speed, or null when it cannot be told. */
  eta: number | null;
}

const WINDOW_MS = 5_000;
const NONE: Rate = { speed: null, eta: null };

export function doneBytes(t: TaskInfo): number {
  return (t.total_bytes * Math.min(100, Math.max(0, t.progress))) / 100;
}

/**
 * Speed and ETA told client-side from successive samples of `total_bytes * progress`: the server
 * reports only how far a task is, so the rate is the bytes gained over the last few seconds.
 */
export class SpeedMeter {
  private readonly samples = new Map<string, Sample[]>();

  /** Adds one sample per task, taken at `at` (the time its list was fetched). */
  observe(tasks: readonly TaskInfo[], at: number): void {
    for (const t of tasks) {
      const list = this.samples.get(t.id) ?? [];
      const last = list[list.length - 1];
      if (last && last.at >= at) continue;
      const bytes = doneBytes(t);
      // A retried task starts over: forget what came before.
      if (last && bytes < last.bytes) list.length = 0;
      list.push({ at, bytes });
      while (list.length > 2 && (list[0]?.at ?? at) < at - WINDOW_MS) list.shift();
      this.samples.set(t.id, list);
    }
  }

  /** Drops tasks no longer listed as running. */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of this.samples.keys()) if (!ids.has(id)) this.samples.delete(id);
  }

  rate(t: TaskInfo): Rate {
    const list = this.samples.get(t.id);
    const first = list?.[0];
    const last = list?.[list.length - 1];
    if (!first || !last || last.at <= first.at) return NONE;
    const speed = ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
    if (speed <= 0) return { speed: 0, eta: null };
    return { speed, eta: Math.max(0, (t.total_bytes - last.bytes) / speed) };
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
