/**
 * The mass-upload relay: 10,000 × 4 KiB files PUT through Filebridge /dav into a WebDav mount
 * backed by `rclone serve webdav`, against the same PUTs sent straight to that upstream, in one
 * run. The load generator does not pace itself. Reports files/s (ratio), the connections
 * Filebridge opened to the upstream (total and peak, read with `ss` while it runs, so nothing
 * sits between the two servers), TIME_WAIT sockets on the upstream port and the server's peak
 * RSS. Results in bench/results/relay.{json,md}.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuth, request, runParallel } from './lib/load.js';
import { row, writeResults } from './lib/results.js';
import { BENCH_PASS, BENCH_USER, rssOf, startFilebridgeChild, startRcloneServe } from './lib/servers.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** The WebDav mount's default max_connections unless BENCH_POOL says otherwise. */
const POOL = Number(process.env.BENCH_POOL ?? 16);
const AUTH = { authorization: basicAuth(BENCH_USER, BENCH_PASS) };
const BODY = Buffer.alloc(4096, 98);

/** TIME_WAIT sockets whose either end is `port`. */
function timeWait(port: number): number {
  try {
    const out = execFileSync('ss', ['-tanH', 'state', 'time-wait', `( sport = :${port} or dport = :${port} )`], { encoding: 'utf8' });
    return out.split('\n').filter((l) => l.trim() !== '').length;
  } catch {
    return -1;
  }
}

/** The local ends ("ip:port") of client sockets to `port` in a state (`established`, `time-wait`). */
function clientEnds(port: number, state: 'established' | 'time-wait'): string[] {
  const out = execFileSync('ss', ['-tnH', 'state', state, `( dport = :${port} )`], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[2] ?? '')
    .filter((end) => end !== '');
}

/**
 * Samples the connections made to `port` every 200 ms into `seen` (distinct local ends, open or
 * closed since) and the most open at once. Only Filebridge connects to the upstream while watched.
 */
function watchConnections(port: number, seen: Set<string>) {
  let peak = 0;
  // Sockets already closed before the watch (other clients' TIME_WAIT) are not Filebridge's.
  const before = new Set(clientEnds(port, 'time-wait'));
  const sample = () => {
    const open = clientEnds(port, 'established');
    peak = Math.max(peak, open.length);
    for (const end of open) seen.add(end);
    for (const end of clientEnds(port, 'time-wait')) if (!before.has(end)) seen.add(end);
  };
  sample();
  const timer = setInterval(sample, 200);
  return {
    stop(): { total: number; peak: number } {
      clearInterval(timer);
      sample();
      return { total: seen.size, peak };
    },
  };
}

async function putAll(origin: string, base: string, folder: string, files: number) {
  await runParallel(origin, 1, 1, (pool) => request(pool, { method: 'MKCOL', path: `${base}/${folder}/`, headers: AUTH }, [201]).then(() => undefined));
  const r = await runParallel(origin, CONCURRENCY, files, async (pool, i) => {
    await request(pool, { method: 'PUT', path: `${base}/${folder}/f${i}.bin`, headers: { ...AUTH, 'content-length': String(BODY.length) }, body: BODY }, [201, 204]);
  });
  if (r.errors > 0) throw new Error(`PUT ${folder}: ${r.errors} errors, first: ${r.firstError}`);
  return r.perSecond;
}

/** Unmeasured uploads each way first, so neither server is timed while it warms up (JIT, pools). */
const WARMUP = 2000;
const ORDER = ['relayed', 'direct', 'direct', 'relayed', 'relayed', 'direct', 'direct', 'relayed'] as const;

/** tmpfs when there is one: the rates then measure the servers, not the disk's write-back. */
function upstreamBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export async function benchRelay(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'filebridge-bench-relay-'));
  const upstreamRoot = mkdtempSync(join(upstreamBase(), 'filebridge-bench-upstream-'));
  const upstream = await startRcloneServe(upstreamRoot);
  const upstreamPort = Number(new URL(upstream.davUrl).port);
  const fb = await startFilebridgeChild(join(work, 'data'), join(work, 'unused'), [
    { mountPath: '/up', driver: 'WebDav', addition: JSON.stringify({ address: upstream.davUrl, username: BENCH_USER, password: BENCH_PASS, max_connections: POOL }) },
  ]);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, fb.pid ? rssOf(fb.pid) : 0)), 100);
  try {
    const fbUrl = new URL(fb.davUrl);
    const directOrigin = new URL(upstream.davUrl).origin;
    // ABBA twice (relayed, direct, direct, relayed, ...), each into a fresh folder after `sync`,
    // after a warm-up each way; each figure is the mean of its four runs.
    const rates: { relayed: number[]; direct: number[] } = { relayed: [], direct: [] };
    const ends = new Set<string>();
    let relayStats = { total: 0, peak: 0 };
    let twRelay = 0;
    const relay = async (folder: string, files: number) => {
      const twBefore = timeWait(upstreamPort);
      const watch = watchConnections(upstreamPort, ends);
      const rate = await putAll(fbUrl.origin, '/dav/up', folder, files);
      const seen = watch.stop();
      relayStats = { total: seen.total, peak: Math.max(relayStats.peak, seen.peak) };
      twRelay += timeWait(upstreamPort) - twBefore;
      return rate;
    };
    await relay('warmup', WARMUP);
    await putAll(directOrigin, '', 'warmup-direct', WARMUP);
    for (const [i, kind] of ORDER.entries()) {
      execFileSync('sync');
      if (kind === 'direct') rates.direct.push(await putAll(directOrigin, '', `direct-${i}`, FILES));
      else rates.relayed.push(await relay(`relayed-${i}`, FILES));
    }
    console.log('files/s per run:', rates);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const relayed = mean(rates.relayed);
    const direct = mean(rates.direct);
    const rows = [row(`PUT ${FILES} × 4 KiB, ${CONCURRENCY} client connections`, 'files/s', relayed, direct, 0.7)];
    const notes = [
      `Filebridge relays to a WebDav mount over \`rclone serve webdav\`; the peer is the same PUTs sent straight to that upstream (a relay adds a hop, so the goal is 0.7×).`,
      `Connections Filebridge opened to the upstream: ${relayStats.total} in total, at most ${relayStats.peak} at once (pool size ${POOL}); read with \`ss\` every 200 ms (established and TIME_WAIT client ends), nothing between the servers.`,
      `TIME_WAIT sockets on the upstream port from the relay runs: ${twRelay} (new ones during the relay phases).`,
      `Peak RSS of the Filebridge process: ${(peakRss / 1024 / 1024).toFixed(0)} MiB.`,
      `Load: undici Pool, ${CONCURRENCY} connections, no pacing; the load generator and both servers share this machine's ${availableParallelism()} cores over loopback, so the rates measure CPU per file. The upstream's folder is on ${upstreamRoot.startsWith('/dev/shm') ? 'tmpfs (/dev/shm), so the disk\'s write-back does not swing the rates between runs' : 'disk (no tmpfs here)'}.`,
      `${WARMUP} unmeasured uploads each way first; then ABBA twice (${ORDER.join(', ')}), each into a fresh folder after \`sync\`; figures are the means of four runs each (${rates.relayed.map((r) => r.toFixed(0)).join(', ')} relayed; ${rates.direct.map((r) => r.toFixed(0)).join(', ')} direct).`,
    ];
    const out = writeResults('relay', 'direct to rclone serve webdav', rows, notes);
    console.log(JSON.stringify({ relayed, direct, ratio: rows[0]?.ratio, connections: relayStats, timeWait: twRelay, peakRssMiB: Math.round(peakRss / 1048576) }));
    console.log(`results: ${out.md}`);
  } finally {
    clearInterval(sampler);
    await fb.stop();
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(upstreamRoot, { recursive: true, force: true });
  }
}
