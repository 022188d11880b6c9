/**
 * Filebridge /dav (Local storage) against `rclone serve webdav` over the same folder, in one run:
 * PUT of 10,000 × 4 KiB files at 16 and 64 connections, PROPFIND Depth 1 on a 10,000-entry folder,
 * GET of a 1 GiB (sparse) file. Results as ratios in bench/results/webdav.{json,md}.
 */
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

async function putRate(peer: RunningPeer, folder: string, concurrency: number): Promise<number> {
  const { origin, base } = split(peer);
  const body = Buffer.alloc(FILE_SIZE, 97);
  await runParallel(origin, 1, 1, (pool) => request(pool, { method: 'MKCOL', path: `${base}/${folder}/`, headers: AUTH }, [201]).then(() => undefined));
  const r = await runParallel(origin, concurrency, FILES, async (pool, i) => {
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

async function getThroughput(peer: RunningPeer, name: string): Promise<number> {
  const { origin, base } = split(peer);
  let best = 0;
  for (let i = 0; i < 2; i++) {
    const start = process.hrtime.bigint();
    let bytes = 0;
    await runParallel(origin, 1, 1, async (pool) => {
      bytes = await request(pool, { method: 'GET', path: `${base}/${name}`, headers: AUTH }, [200]);
    });
    if (bytes !== BIG) throw new Error(`${peer.name} GET returned ${bytes} bytes, expected ${BIG}`);
    best = Math.max(best, bytes / 1024 ** 2 / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return best;
}

async function measure(peer: RunningPeer): Promise<Record<string, number>> {
  const tag = peer.name;
  const out: Record<string, number> = {};
  out.put16 = await putRate(peer, `put-${tag}-16`, 16);
  out.put64 = await putRate(peer, `put-${tag}-64`, 64);
  out.propfind = await propfindRate(peer, `put-${tag}-16`, NAMED);
  out.allprop = await propfindRate(peer, `put-${tag}-16`, ALLPROP);
  out.get = await getThroughput(peer, 'big.bin');
  console.log(`${tag}:`, Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 10) / 10])));
  return out;
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
    const a = await measure(fb);
    const b = await measure(rc);
    const rows = [
      row(`PUT ${FILES} × 4 KiB, 16 connections`, 'files/s', a.put16 ?? 0, b.put16 ?? 0, 1.2),
      row(`PUT ${FILES} × 4 KiB, 64 connections`, 'files/s', a.put64 ?? 0, b.put64 ?? 0, 1.2),
      row(`PROPFIND Depth 1, ${FILES} entries (rclone's named props)`, 'requests/s', a.propfind ?? 0, b.propfind ?? 0, 1.5),
      row(`PROPFIND Depth 1, ${FILES} entries (allprop)`, 'requests/s', a.allprop ?? 0, b.allprop ?? 0, 1.5),
      row(`GET ${(BIG / 1024 ** 3).toFixed(2)} GiB file`, 'MiB/s', a.get ?? 0, b.get ?? 0, 1.0),
    ];
    const notes = [
      'Both servers serve the same folder on this machine over loopback with Basic auth; Filebridge runs in its own process (tsx), rclone 1.60 `serve webdav`.',
      'Load: undici Pool, one connection per concurrent worker, no pacing; PUT folders are fresh per server and per concurrency; PROPFIND runs on the 16-connection PUT folder (warm caches on both sides), 2 connections, with the body rclone sends and with allprop.',
      'GET: best of two sequential downloads of a sparse file, body drained by the client.',
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
