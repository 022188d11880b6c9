import { authHeaders, encodePath, type Envelope } from '../api/client';

export type UploadStatus = 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';

export interface UploadItem {
  id: number;
  file: File;
  /** Absolute virtual path of the file to create. */
  path: string;
  loaded: number;
  total: number;
  /** Bytes per second over the last samples. */
  speed: number;
  status: UploadStatus;
  error: string;
}

interface Running {
  xhr: XMLHttpRequest;
  lastAt: number;
  lastLoaded: number;
}

const CONCURRENCY = 3;

/**
 * Uploads files one PUT /api/fs/put each (streamed body, File-Path URL-encoded), a few at a time,
 * with progress, speed, cancel and retry. Listeners are told after every change.
 */
export class UploadQueue {
  private items: UploadItem[] = [];
  private running = new Map<number, Running>();
  private listeners = new Set<() => void>();
  private nextId = 1;
  private snapshot: UploadItem[] = [];
  /** Called when a file has been stored, with its folder. */
  onStored: (dir: string) => void = () => undefined;

  subscribe = (cb: () => void) => {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  };

  getSnapshot = () => this.snapshot;

  add(files: { file: File; path: string }[]): void {
    for (const f of files) {
      this.items.push({ id: this.nextId++, file: f.file, path: f.path, loaded: 0, total: f.file.size, speed: 0, status: 'waiting', error: '' });
    }
    this.changed();
    this.pump();
  }

  cancel(id: number): void {
    const r = this.running.get(id);
    if (r) r.xhr.abort();
    this.update(id, { status: 'cancelled', speed: 0 });
    this.pump();
  }

  retry(id: number): void {
    this.update(id, { status: 'waiting', loaded: 0, error: '', speed: 0 });
    this.pump();
  }

  clearFinished(): void {
    this.items = this.items.filter((i) => i.status === 'waiting' || i.status === 'uploading');
    this.changed();
  }

  private update(id: number, patch: Partial<UploadItem>): void {
    this.items = this.items.map((i) => (i.id === id ? { ...i, ...patch } : i));
    this.changed();
  }

  private changed(): void {
    this.snapshot = [...this.items];
    for (const l of this.listeners) l();
  }

  private pump(): void {
    while (this.running.size < CONCURRENCY) {
      const next = this.items.find((i) => i.status === 'waiting' && !this.running.has(i.id));
      if (!next) return;
      this.start(next);
    }
  }

  private start(item: UploadItem): void {
    const xhr = new XMLHttpRequest();
    const run: Running = { xhr, lastAt: performance.now(), lastLoaded: 0 };
    this.running.set(item.id, run);
    this.update(item.id, { status: 'uploading', loaded: 0 });
    xhr.open('PUT', '/api/fs/put');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('File-Path', encodeURIComponent(item.path));
    xhr.setRequestHeader('Last-Modified', String(item.file.lastModified));
    xhr.setRequestHeader('Overwrite', 'true');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      const now = performance.now();
      const dt = (now - run.lastAt) / 1000;
      const speed = dt > 0.2 ? (e.loaded - run.lastLoaded) / dt : undefined;
      if (speed !== undefined) {
        run.lastAt = now;
        run.lastLoaded = e.loaded;
      }
      this.update(item.id, { loaded: e.loaded, ...(speed !== undefined ? { speed } : {}) });
    };
    const finish = (patch: Partial<UploadItem>) => {
      this.running.delete(item.id);
      this.update(item.id, { speed: 0, ...patch });
      this.pump();
    };
    xhr.onload = () => {
      let env: Envelope<unknown> | undefined;
      try {
        env = JSON.parse(xhr.responseText) as Envelope<unknown>;
      } catch {
        /* handled below */
      }
      if (xhr.status === 200 && env?.code === 200) {
        finish({ status: 'done', loaded: item.total });
        this.onStored(item.path.slice(0, item.path.lastIndexOf('/')) || '/');
      } else {
        finish({ status: 'failed', error: env?.message ?? `HTTP ${xhr.status} ${xhr.statusText}` });
      }
    };
    xhr.onerror = () => finish({ status: 'failed', error: 'The connection failed during the upload.' });
    xhr.onabort = () => {
      this.running.delete(item.id);
      this.pump();
    };
    xhr.send(item.file);
  }
}

export function encodeFilePath(path: string): string {
  return encodePath(path);
}
