/**
 * The mass-upload relay: 10,000 × 4 KiB files PUT through Filebridge /dav into a WebDav mount
 * backed by `rclone serve webdav`, against the same PUTs sent straight to that upstream, in one
 * run. The load generator does not pace itself. Reports files/s (ratio), the connections
 * Filebridge opened to the upstream (total and peak, read with `ss` while it runs, so nothing
 * sits between the two servers), TIME_WAIT sockets on the upstream port and the server's peak
 * RSS. Results in bench/results/relay.{json,md}.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

async function putAll(origin: string, base: string, folder: string) {
  await runParallel(origin, 1, 1, (pool) => request(pool, { method: 'MKCOL', path: `${base}/${folder}/`, headers: AUTH }, [201]).then(() => undefined));
  const r = await runParallel(origin, CONCURRENCY, FILES, async (pool, i) => {
    await request(pool, { method: 'PUT', path: `${base}/${folder}/f${i}.bin`, headers: { ...AUTH, 'content-length': String(BODY.length) }, body: BODY }, [201, 204]);
  });
  if (r.errors > 0) throw new Error(`PUT ${folder}: ${r.errors} errors, first: ${r.firstError}`);
  return r.perSecond;
}

export async function benchRelay(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'filebridge-bench-relay-'));
  mkdirSync(join(work, 'upstream'));
  const upstream = await startRcloneServe(join(work, 'upstream'));
  const upstreamPort = Number(new URL(upstream.davUrl).port);
  const fb = await startFilebridgeChild(join(work, 'data'), join(work, 'unused'), [
    { mountPath: '/up', driver: 'WebDav', addition: JSON.stringify({ address: upstream.davUrl, username: BENCH_USER, password: BENCH_PASS, max_connections: POOL }) },
  ]);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, fb.pid ? rssOf(fb.pid) : 0)), 100);
  try {
    const fbUrl = new URL(fb.davUrl);
    // ABBA (relayed, direct, direct, relayed), each into a fresh folder after `sync`, so neither
    // side runs on the other's write-back; each figure is the mean of two runs.
    const rates: { relayed: number[]; direct: number[] } = { relayed: [], direct: [] };
    const ends = new Set<string>();
    let relayStats = { total: 0, peak: 0 };
    let twRelay = 0;
    for (const [i, kind] of (['relayed', 'direct', 'direct', 'relayed'] as const).entries()) {
      execFileSync('sync');
      if (kind === 'direct') {
        rates.direct.push(await putAll(new URL(upstream.davUrl).origin, '', `direct-${i}`));
        continue;
      }
      const twBefore = timeWait(upstreamPort);
      const watch = watchConnections(upstreamPort, ends);
      rates.relayed.push(await putAll(fbUrl.origin, '/dav/up', `relayed-${i}`));
      const seen = watch.stop();
      relayStats = { total: seen.total, peak: Math.max(relayStats.peak, seen.peak) };
      twRelay += timeWait(upstreamPort) - twBefore;
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
      `Load: undici Pool, ${CONCURRENCY} connections, no pacing; both servers on this 2-core machine over loopback. Runs in ABBA order (relayed, direct, direct, relayed), each into a fresh folder after \`sync\`; figures are the means of two runs (${rates.relayed.map((r) => r.toFixed(0)).join(', ')} relayed; ${rates.direct.map((r) => r.toFixed(0)).join(', ')} direct).`,
    ];
    const out = writeResults('relay', 'direct to rclone serve webdav', rows, notes);
    console.log(JSON.stringify({ relayed, direct, ratio: rows[0]?.ratio, connections: relayStats, timeWait: twRelay, peakRssMiB: Math.round(peakRss / 1048576) }));
    console.log(`results: ${out.md}`);
  } finally {
    clearInterval(sampler);
    await fb.stop();
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
