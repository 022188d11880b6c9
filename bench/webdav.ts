/**
 * Filebridge /dav (Local storage) against `rclone serve webdav` over the same folder, in one run:
 * PUT of 10,000 × 4 KiB files at 16 and 64 connections, PROPFIND Depth 1 on a 10,000-entry folder,
 * GET of a 1 GiB (sparse) file. Results as ratios in bench/results/webdav.{json,md}.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuth, request, runParallel } from './lib/load.js';
import { type BenchRow, row, writeResults } from './lib/results.js';
import { BENCH_PASS, BENCH_USER, type RunningPeer, startFilebridgeChild, startRcloneServe } from './lib/servers.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const FILE_SIZE = 4096;
const BIG = Number(process.env.BENCH_BIG_BYTES ?? 1024 ** 3);
const PROPFIND_RUNS = Number(process.env.BENCH_PROPFIND_RUNS ?? 20);
/** Files of the real `rclone copy` (it paces itself to ~30 files/s here, so fewer than the PUT runs). */
const COPY_FILES = Number(process.env.BENCH_COPY_FILES ?? 1000);
/** PUTs each server gets before anything is measured (JIT, caches, first folder). */
const WARMUP_FILES = Number(process.env.BENCH_WARMUP_FILES ?? 2000);
const AUTH = { authorization: basicAuth(BENCH_USER, BENCH_PASS) };
const ALLPROP = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';
/** The body rclone's webdav client sends for listings. */
const NAMED =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:prop>' +
  '<d:displayname /><d:getlastmodified /><d:getcontentlength /><d:resourcetype /><d:getcontenttype /></d:prop></d:propfind>';

function split(peer: RunningPeer): { origin: string; base: string } {
  const u = new URL(peer.davUrl);
  return { origin: u.origin, base: u.pathname.replace(/\/$/, '') };
}

async function putRate(peer: RunningPeer, folder: string, concurrency: number, files = FILES): Promise<number> {
  const { origin, base } = split(peer);
  const body = Buffer.alloc(FILE_SIZE, 97);
  await runParallel(origin, 1, 1, (pool) => request(pool, { method: 'MKCOL', path: `${base}/${folder}/`, headers: AUTH }, [201]).then(() => undefined));
  const r = await runParallel(origin, concurrency, files, async (pool, i) => {
    await request(pool, { method: 'PUT', path: `${base}/${folder}/f${i}.bin`, headers: { ...AUTH, 'content-length': String(FILE_SIZE) }, body }, [201, 204]);
  });
  if (r.errors > 0) throw new Error(`${peer.name} PUT: ${r.errors} errors, first: ${r.firstError}`);
  return r.perSecond;
}

async function propfindRate(peer: RunningPeer, folder: string, body: string): Promise<number> {
  const { origin, base } = split(peer);
  const op = async (pool: Parameters<Parameters<typeof runParallel>[3]>[0]) => {
    const bytes = await request(pool, { method: 'PROPFIND', path: `${base}/${folder}/`, headers: { ...AUTH, depth: '1', 'content-type': 'application/xml' }, body }, [207]);
    if (bytes < FILES * 100) throw new Error(`${peer.name} PROPFIND answered only ${bytes} bytes`);
  };
  await runParallel(origin, 1, 2, op);
  const r = await runParallel(origin, 2, PROPFIND_RUNS, op);
  if (r.errors > 0) throw new Error(`${peer.name} PROPFIND: ${r.firstError}`);
  return r.perSecond;
}

async function getOnce(peer: RunningPeer, name: string): Promise<number> {
  const { origin, base } = split(peer);
  const start = process.hrtime.bigint();
  let bytes = 0;
  await runParallel(origin, 1, 1, async (pool) => {
    bytes = await request(pool, { method: 'GET', path: `${base}/${name}`, headers: AUTH }, [200]);
  });
  if (bytes !== BIG) throw new Error(`${peer.name} GET returned ${bytes} bytes, expected ${BIG}`);
  return bytes / 1024 ** 2 / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** GET throughput, best of three downloads each, the servers taking turns (on a quiet disk, before the PUT runs). */
async function getThroughputs(fb: RunningPeer, rc: RunningPeer, name: string): Promise<{ fb: number; rc: number }> {
  const best = { fb: 0, rc: 0 };
  for (let i = 0; i < 3; i++) {
    best.fb = Math.max(best.fb, await getOnce(fb, name));
    best.rc = Math.max(best.rc, await getOnce(rc, name));
  }
  console.log('GET MiB/s (best of 3):', { filebridge: Math.round(best.fb), rclone: Math.round(best.rc) });
  return best;
}

/** Flushes dirty pages so one server's writes are not written back during the other's run. */
function settleDisk(): void {
  spawnSync('sync');
}

/**
 * PUT rate of both servers in ABBA order (Filebridge, rclone, rclone, Filebridge), each run on a
 * settled disk into a fresh folder; each server's figure is the mean of its two runs.
 */
async function putRates(fb: RunningPeer, rc: RunningPeer, concurrency: number): Promise<{ fb: number; rc: number }> {
  const runs: Record<string, number[]> = { [fb.name]: [], [rc.name]: [] };
  for (const [i, peer] of [fb, rc, rc, fb].entries()) {
    settleDisk();
    runs[peer.name]?.push(await putRate(peer, `put-${peer.name}-${concurrency}-${i}`, concurrency));
  }
  const mean = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(`PUT ${concurrency} connections:`, Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => Math.round(x))])));
  return { fb: mean(runs[fb.name]), rc: mean(runs[rc.name]) };
}

async function readRates(peer: RunningPeer, folder: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  out.propfind = await propfindRate(peer, folder, NAMED);
  out.allprop = await propfindRate(peer, folder, ALLPROP);
  console.log(`${peer.name}:`, Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 10) / 10])));
  return out;
}

/** A real client: `rclone copy` of the same 10,000 local files to the server, in files/s. */
function rcloneCopyRate(peer: RunningPeer, source: string, folder: string): number {
  const pass = execFileSync('rclone', ['obscure', BENCH_PASS]).toString().trim();
  const remote = `:webdav,url='${peer.davUrl}',vendor=other,user=${BENCH_USER},pass=${pass}:${folder}`;
  settleDisk();
  const start = process.hrtime.bigint();
  const r = spawnSync('rclone', ['copy', source, remote, '--transfers', '16', '--checkers', '16', '--no-check-dest', '--retries', '1'], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`rclone copy to ${peer.name} failed: ${r.stderr}`);
  return COPY_FILES / seconds;
}

export async function benchWebdav(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'filebridge-bench-webdav-'));
  const root = join(work, 'root');
  mkdirSync(root);
  writeFileSync(join(root, 'big.bin'), '');
  truncateSync(join(root, 'big.bin'), BIG);
  const peers: RunningPeer[] = [];
  try {
    const fb = await startFilebridgeChild(join(work, 'data'), root);
    peers.push(fb);
    const rc = await startRcloneServe(root);
    peers.push(rc);
    const get = await getThroughputs(fb, rc, 'big.bin');
    for (const peer of [fb, rc]) await putRate(peer, `warmup-${peer.name}`, 16, WARMUP_FILES);
    const p16 = await putRates(fb, rc, 16);
    const p64 = await putRates(fb, rc, 64);
    // Reads run on a folder each server wrote itself (warm caches on both sides).
    const a = await readRates(fb, `put-${fb.name}-16-0`);
    const b = await readRates(rc, `put-${rc.name}-16-1`);
    const source = join(work, 'source');
    mkdirSync(source);
    for (let i = 0; i < COPY_FILES; i++) writeFileSync(join(source, `f${i}.bin`), Buffer.alloc(FILE_SIZE, 98));
    const copyFb = rcloneCopyRate(fb, source, 'copy-fb');
    const copyRc = rcloneCopyRate(rc, source, 'copy-rc');
    const rows = [
      row(`PUT ${FILES} × 4 KiB, 16 connections`, 'files/s', p16.fb, p16.rc, 1.2),
      row(`PUT ${FILES} × 4 KiB, 64 connections`, 'files/s', p64.fb, p64.rc, 1.2),
      row(`PROPFIND Depth 1, ${FILES} entries (rclone's named props)`, 'requests/s', a.propfind ?? 0, b.propfind ?? 0, 1.5),
      row(`PROPFIND Depth 1, ${FILES} entries (allprop)`, 'requests/s', a.allprop ?? 0, b.allprop ?? 0, 1.5),
      row(`GET ${(BIG / 1024 ** 3).toFixed(2)} GiB file`, 'MiB/s', get.fb, get.rc, 1.0),
      row(`rclone copy of ${COPY_FILES} × 4 KiB files (real client, paced by itself)`, 'files/s', copyFb, copyRc),
    ];
    const notes = [
      'Both servers serve the same folder on this machine over loopback with Basic auth; Filebridge runs in its own process (under tsx), rclone 1.60 `serve webdav`.',
      'Load: undici Pool, one connection per concurrent worker, no pacing. PUT runs go in ABBA order (Filebridge, rclone, rclone, Filebridge), each into a fresh folder after `sync`, and each figure is the mean of a server\'s two runs: on this virtual disk the write-back of one run otherwise lands on the next.',
      'PROPFIND runs on a 10,000-entry folder the server wrote itself (warm caches on both sides), 2 connections, with the body rclone sends and with allprop.',
      '`rclone copy` (Debian rclone 1.60, --transfers 16 --checkers 16, vendor other) of 1,000 local files to each server, for realism; no goal (the client paces itself).',
      'GET: best of three downloads of a sparse file per server, the servers taking turns, before the PUT runs; body drained by the client. Each server first takes 2,000 PUTs that are not measured (warm-up).',
    ];
    const files = writeResults('webdav', 'rclone serve webdav', rows, notes);
    console.table(rows);
    console.log(`results: ${files.json}, ${files.md}`);
    return rows;
  } finally {
    for (const p of peers.reverse()) await p.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
