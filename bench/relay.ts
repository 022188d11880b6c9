/**
 * The mass-upload relay: 10,000 × 4 KiB files PUT through Filebridge /dav into a WebDav mount
 * backed by `rclone serve webdav`, against the same PUTs sent straight to that upstream, in one
 * run. The load generator does not pace itself. Reports files/s (ratio), the connections
 * Filebridge opened to the upstream (total and peak, counted by a TCP proxy), TIME_WAIT sockets
 * on the upstream port and the server's peak RSS. Results in bench/results/relay.{json,md}.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTcpCounter } from '../test/servers/tcp-counter.js';
import { basicAuth, request, runParallel } from './lib/load.js';
import { row, writeResults } from './lib/results.js';
import { BENCH_PASS, BENCH_USER, rssOf, startFilebridgeChild, startRcloneServe } from './lib/servers.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const POOL = 8;
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
  const counter = await startTcpCounter(upstreamPort);
  const fb = await startFilebridgeChild(join(work, 'data'), join(work, 'unused'), [
    { mountPath: '/up', driver: 'WebDav', addition: JSON.stringify({ address: counter.origin, username: BENCH_USER, password: BENCH_PASS, max_connections: POOL }) },
  ]);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, fb.pid ? rssOf(fb.pid) : 0)), 100);
  try {
    const fbUrl = new URL(fb.davUrl);
    const twBefore = timeWait(upstreamPort);
    counter.resetPeak();
    const relayed = await putAll(fbUrl.origin, '/dav/up', 'relayed');
    const relayStats = counter.stats();
    const twRelay = timeWait(upstreamPort) - twBefore;
    const direct = await putAll(new URL(upstream.davUrl).origin, '', 'direct');
    const rows = [row(`PUT ${FILES} × 4 KiB, ${CONCURRENCY} client connections`, 'files/s', relayed, direct, 0.7)];
    const notes = [
      `Filebridge relays to a WebDav mount over \`rclone serve webdav\`; the peer is the same PUTs sent straight to that upstream (a relay adds a hop, so the goal is 0.7×).`,
      `Connections Filebridge opened to the upstream: ${relayStats.total} in total, at most ${relayStats.peak} at once (pool size ${POOL}).`,
      `TIME_WAIT sockets on the upstream port after the relay: ${twRelay} (new ones during the relay phase).`,
      `Peak RSS of the Filebridge process: ${(peakRss / 1024 / 1024).toFixed(0)} MiB.`,
      `Load: undici Pool, ${CONCURRENCY} connections, no pacing; both servers on this 2-core machine over loopback.`,
    ];
    const out = writeResults('relay', 'direct to rclone serve webdav', rows, notes);
    console.log(JSON.stringify({ relayed, direct, ratio: rows[0]?.ratio, connections: relayStats, timeWait: twRelay, peakRssMiB: Math.round(peakRss / 1048576) }));
    console.log(`results: ${out.md}`);
  } finally {
    clearInterval(sampler);
    await fb.stop();
    await counter.close();
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
