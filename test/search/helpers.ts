import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApiClient } from '../helpers/api.js';
import { waitFor } from '../helpers/server.js';

/** Writes files (and their folders) below `root`: paths relative, `/`-separated. */
export function plant(root: string, files: readonly string[], body = 'x'): void {
  for (const f of files) {
    const p = join(root, ...f.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, body);
  }
}

export interface Hit {
  parent: string;
  name: string;
  is_dir: boolean;
  size: number;
  type: number;
}

export async function search(api: ApiClient, keywords: string, more: Record<string, unknown> = {}): Promise<{ content: Hit[]; total: number }> {
  const r = await api.post<{ content: Hit[]; total: number }>('/api/fs/search', { parent: '/', keywords, page: 1, per_page: 100, ...more });
  if (r.code !== 200) throw new Error(`search ${keywords}: ${r.code} ${r.message}`);
  return r.data;
}

/** Full paths of a search's hits. */
export async function found(api: ApiClient, keywords: string, more: Record<string, unknown> = {}): Promise<string[]> {
  const { content } = await search(api, keywords, more);
  return content.map((h) => `${h.parent === '/' ? '' : h.parent}/${h.name}`);
}

/** Waits until every crawl is done (progress.is_done) and the index counts at least `min` entries. */
export async function crawled(api: ApiClient, min: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const p = await api.get<{ obj_count: number; is_done: boolean }>('/api/admin/index/progress');
      return p.code === 200 && p.data.is_done && p.data.obj_count >= min;
    },
    timeoutMs,
    `the index to count ${min} entries`,
  );
}
