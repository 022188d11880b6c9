/**
 * Issue 22's search index, measured:
 * - crawl: 100,000 entries (75,000 on a Local storage, 25,000 on a WebDav storage served by
 *   `rclone serve webdav`) indexed in the background by a Filebridge child process, while wrk
 *   lists a 150-entry folder: the crawl's duration, and /api/fs/list's rate and p99 during the
 *   crawl against the same with the index off (ratio = off / during for p99: 1.0 is "no cost").
 * - latency: `SearchIndex.search` (the query behind /api/fs/search, no HTTP) over 1,000,000
 *   indexed entries on SQLite and on PostgreSQL: p50 and p99 of varied keywords (words of a
 *   2,000-word vocabulary, two-character CJK words, numbers, misses), as the admin (counts from
 *   the database) and as a guest with a folder password set (names checked one by one).
 * Results in bench/results/search.{json,md}. `BENCH_SEARCH_ENTRIES` (default 1,000,000),
 * `BENCH_CRAWL_ENTRIES` (default 100,000), `BENCH_SECONDS` (default 5), `BENCH_CASES=crawl,latency`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDatabase } from '../src/db/client.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { SearchIndex, type SearchView } from '../src/search/index.js';
import { SearchStore } from '../src/search/store.js';
import type { IndexedEntry } from '../src/search/tables.js';
import { startPostgres } from '../test/servers/postgres.js';
import { type BenchRow, row, writeResults } from './lib/results.js';
import { BENCH_PASS, BENCH_USER, startFilebridgeChild, startRcloneServe } from './lib/servers.js';
import { wrk } from './lib/wrk-run.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SEARCH_ENTRIES = Number(process.env.BENCH_SEARCH_ENTRIES ?? 1_000_000);
const CRAWL_ENTRIES = Number(process.env.BENCH_CRAWL_ENTRIES ?? 100_000);
const CASES = new Set((process.env.BENCH_CASES ?? 'crawl,latency').split(','));
const QUERIES = 300;

function plantTree(root: string, folders: number, perFolder: number, prefix: string): void {
  for (let d = 0; d < folders; d++) {
    const dir = join(root, `${prefix}${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perFolder - 1; f++) writeFileSync(join(dir, `${prefix}-file-${d}-${f}.txt`), '');
  }
}

async function api(base: string, token: string, path: string, body?: unknown): Promise<{ code: number; data: Record<string, unknown> }> {
  const r = await fetch(base + path, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await r.json()) as { code: number; data: Record<string, unknown> };
}

async function benchCrawl(rows: BenchRow[], notes: string[]): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'fb-bench-search-'));
  const local = join(work, 'local');
  const remote = join(work, 'remote');
  const perFolder = 150;
  const localFolders = Math.round((CRAWL_ENTRIES * 0.75) / perFolder);
  const remoteFolders = Math.round((CRAWL_ENTRIES * 0.25) / perFolder);
  plantTree(local, localFolders, perFolder, 'l');
  plantTree(remote, remoteFolders, perFolder, 'r');
  const rclone = await startRcloneServe(remote);
  const storages = [
    { mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: local }) },
    { mountPath: '/wd', driver: 'WebDav', addition: JSON.stringify({ address: rclone.davUrl, username: BENCH_USER, password: BENCH_PASS }) },
  ];
  const fb = await startFilebridgeChild(join(work, 'data'), local, storages);
  const base = fb.davUrl.replace(/\/dav$/, '');
  try {
    const login = await api(base, '', '/api/auth/login', { username: BENCH_USER, password: BENCH_PASS });
    const token = String(login.data.token);
    const list = { url: `${base}/api/fs/list`, method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/local/l3' }) };
    const off = await wrk(list, { connections: 4, seconds: SECONDS });
    await api(base, token, '/api/admin/setting/save', [{ key: 'index_crawl_rate', value: '500' }, { key: 'search_index', value: 'database' }]);
    const started = performance.now();
    const during = await wrk(list, { connections: 4, seconds: SECONDS });
    let progress: Record<string, unknown> = {};
    for (;;) {
      progress = (await api(base, token, '/api/admin/index/progress')).data;
      if (progress.is_done === true && Number(progress.obj_count) >= CRAWL_ENTRIES) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    rows.push(row(`crawl of ${Number(progress.obj_count).toLocaleString('en')} entries (Local + WebDav), entries/s`, 'entries/s', Number(progress.obj_count) / seconds, 0));
    rows.push(row('/api/fs/list during the crawl vs index off, req/s', 'req/s', during.requestsPerSec, off.requestsPerSec));
    rows.push(row('/api/fs/list p99 during the crawl vs index off (ratio = off/during)', 'ms', during.latencyP99Ms, off.latencyP99Ms));
    rows[rows.length - 1] = { ...(rows[rows.length - 1] as BenchRow), ratio: Math.round((off.latencyP99Ms / Math.max(0.001, during.latencyP99Ms)) * 100) / 100 };
    notes.push(`crawl: ${localFolders} Local and ${remoteFolders} WebDav folders of ${perFolder} entries, index_crawl_rate 500 folders/s per storage, done in ${seconds.toFixed(1)} s; wrk lists /local/l3 (150 entries) with 4 connections for ${SECONDS} s, during the first seconds of the crawl.`);
    const hit = await api(base, token, '/api/fs/search', { parent: '/', keywords: 'r-file-7-1', page: 1, per_page: 10 });
    notes.push(`after the crawl, "r-file-7-1" finds ${String(hit.data.total)} entries.`);
  } finally {
    await fb.stop();
    await rclone.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** A vocabulary of pronounceable words, the same on every run. */
function vocabulary(n: number): string[] {
  const c = 'bcdfghjklmnprstvz';
  const v = 'aeiou';
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    let w = '';
    for (let k = i, s = 0; s < 3; s++, k = Math.floor(k / 85)) w += (c[k % 17] as string) + (v[Math.floor(k / 17) % 5] as string);
    out.push(w);
  }
  return out;
}

const CJK = ['東京', '写真', '資料', '会議', '報告', '音楽', '映画', '旅行', '学校', '家族'];

function* entries(total: number, words: string[]): Generator<IndexedEntry[]> {
  let batch: IndexedEntry[] = [];
  for (let i = 0; i < total; i++) {
    const folder = Math.floor(i / 100);
    const parent = `/bench/d${folder % 1000}/s${Math.floor(folder / 1000)}`;
    const a = words[(i * 7919) % words.length] as string;
    const b = words[(i * 104729) % words.length] as string;
    const name = i % 10 === 0 ? `${CJK[i % CJK.length]}${CJK[(i >> 4) % CJK.length]} ${i}.jpg` : `${a}-${b} ${i}.txt`;
    batch.push({ parent, name, isDir: false, size: i });
    if (batch.length === 2000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function latencyOn(engine: string, url: string, rows: BenchRow[], notes: string[]): Promise<void> {
  const database = await createDatabase(url);
  try {
    await migrateToLatest(database);
    const store = new SearchStore(database.db, database.engine);
    await store.clear();
    const words = vocabulary(2000);
    const t0 = performance.now();
    for (const batch of entries(SEARCH_ENTRIES, words)) await store.put(1, batch);
    const loadS = (performance.now() - t0) / 1000;
    const settings = { get: (k: string) => (k === 'search_index' ? 'database' : '') };
    const index = new SearchIndex({ store, fs: { list: async () => ({ entries: [] }) }, settings, mounts: () => [{ id: 1, path: '/bench', ready: true }], logger: console });
    const admin: SearchView = { exclude: [], exact: true, allows: () => true };
    const guest: SearchView = { exclude: ['/bench/d7'], exact: false, allows: (parent) => !parent.startsWith('/bench/d7/') };
    const keywords = Array.from({ length: QUERIES }, (_, i) => (i % 4 === 0 ? (CJK[i % CJK.length] as string) : i % 4 === 1 ? String(100_000 + i * 7) : i % 4 === 2 ? `${words[i % words.length]}-` : (words[(i * 13) % words.length] as string)));
    for (const [who, view] of [['admin', admin], ['guest (a folder password)', guest]] as const) {
      const times: number[] = [];
      let hits = 0;
      for (const kw of keywords) {
        const t = performance.now();
        const r = await index.search({ root: '/', keywords: kw, scope: 0, page: 1, perPage: 50 }, view);
        times.push(performance.now() - t);
        hits += r.total;
      }
      times.sort((a, b) => a - b);
      rows.push(row(`${engine}: search p50, ${who}, ${SEARCH_ENTRIES.toLocaleString('en')} entries`, 'ms', percentile(times, 50), 0));
      rows.push(row(`${engine}: search p99, ${who}, ${SEARCH_ENTRIES.toLocaleString('en')} entries`, 'ms', percentile(times, 99), 0));
      notes.push(`${engine}, ${who}: ${QUERIES} searches, ${Math.round(hits / QUERIES)} matches on average.`);
    }
    notes.push(`${engine}: ${SEARCH_ENTRIES.toLocaleString('en')} entries written in ${loadS.toFixed(0)} s (${Math.round(SEARCH_ENTRIES / loadS)} entries/s).`);
  } finally {
    await database.close();
  }
}

export async function benchSearch(): Promise<void> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  if (CASES.has('crawl')) await benchCrawl(rows, notes);
  if (CASES.has('latency')) {
    const dir = mkdtempSync(join(tmpdir(), 'fb-bench-search-db-'));
    try {
      await latencyOn('SQLite', `sqlite:${join(dir, 'search.db')}`, rows, notes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const pg = await startPostgres();
    try {
      await latencyOn('PostgreSQL', await pg.connectionString(), rows, notes);
    } finally {
      await pg.stop();
    }
  }
  notes.push('No peer: OpenList has no per-request latency figures for its database search; the peer and ratio columns are empty (—) except for the list rows (index off).');
  const out = writeResults('search', 'index off / none', rows, notes);
  console.log(`results: ${out.md}`);
}
