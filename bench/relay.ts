/**
 * The mass-upload relay: 10,000 × 4 KiB files PUT through Filebridge /dav into a WebDav mount
 * backed by `rclone serve webdav`, against the same PUTs sent straight to that upstream, in one
 * run. The load generator does not pace itself. Reports files/s (ratio), the connections
 * Filebridge opened to the upstream (total and peak, read with `ss` while it runs, so nothing
 * sits between the two servers), TIME_WAIT sockets on the upstream port and the server's peak
 * RSS. Results in bench/results/relay.{json,md}.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { basicAuth, request, runParallel } from './lib/load.js';
import { row, writeResults } from './lib/results.js';
import { BENCH_PASS, BENCH_USER, cpuMicrosOf, rssOf, startFilebridgeChild, startRcloneServe } from './lib/servers.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** The WebDav mount's default max_connections unless BENCH_POOL says otherwise. */
const POOL = Number(process.env.BENCH_POOL ?? 16);
const AUTH = { authorization: basicAuth(BENCH_USER, BENCH_PASS) };
const BODY = Buffer.alloc(4096, 98);
const execFileAsync = promisify(execFile);

/** TIME_WAIT sockets with either end on `port`, as "local peer" pairs. */
function timeWaitPairs(port: number): Set<string> {
  const out = execFileSync('ss', ['-tanH', 'state', 'time-wait', `( sport = :${port} or dport = :${port} )`], { encoding: 'utf8' });
  return new Set(
    out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 4)
      .map((f) => `${f[2]} ${f[3]}`),
  );
}

/** The local ends ("ip:port") of client sockets to `port` in a state (`established`, `time-wait`). */
async function clientEnds(port: number, state: 'established' | 'time-wait'): Promise<string[]> {
  const { stdout } = await execFileAsync('ss', ['-tnH', 'state', state, `( dport = :${port} )`], { encoding: 'utf8' });
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[2] ?? '')
    .filter((end) => end !== '');
}

/**
 * Samples the connections made to `port` every 200 ms into `seen` (distinct local ends, open or
 * closed since) and the most open at once. `ss` runs as a child without blocking the load
 * generator, and the same watch runs during the direct runs too, so both sides bear its cost.
 */
async function watchConnections(port: number, seen: Set<string>) {
  let peak = 0;
  let stopped = false;
  // Sockets already closed before the watch (other clients' TIME_WAIT) are not Filebridge's.
  const before = new Set(await clientEnds(port, 'time-wait'));
  const sample = async () => {
    const [open, closed] = await Promise.all([clientEnds(port, 'established'), clientEnds(port, 'time-wait')]);
    peak = Math.max(peak, open.length);
    for (const end of open) seen.add(end);
    for (const end of closed) if (!before.has(end)) seen.add(end);
  };
  await sample();
  const loop = (async () => {
    while (!stopped) {
      await sleep(200);
      await sample();
    }
  })();
  return {
    async stop(): Promise<{ total: number; peak: number }> {
      stopped = true;
      await loop;
      await sample();
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
/** ABBA rounds (relayed, direct, direct, relayed); a shared machine's noise needs several. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const ORDER = Array.from({ length: ROUNDS }, () => ['relayed', 'direct', 'direct', 'relayed'] as const).flat();

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
    // ABBA rounds (relayed, direct, direct, relayed, ...), each into a fresh folder after `sync`,
    // after a warm-up each way; each figure is the mean of its runs.
    const rates: { relayed: number[]; direct: number[] } = { relayed: [], direct: [] };
    // CPU per file of each process, summed over the measured runs of each kind: where a relayed
    // file's cost goes (the three share the cores, so the rates follow the sums).
    const cpu = { relayed: { load: 0, filebridge: 0, upstream: 0 }, direct: { load: 0, filebridge: 0, upstream: 0 } };
    const cpuNow = () => ({ load: (({ user, system }) => user + system)(process.cpuUsage()), filebridge: fb.pid ? cpuMicrosOf(fb.pid) : 0, upstream: upstream.pid ? cpuMicrosOf(upstream.pid) : 0 });
    const ends = new Set<string>();
    let relayStats = { total: 0, peak: 0 };
    let twRelay = 0;
    const relay = async (folder: string, files: number) => {
      const twBefore = timeWaitPairs(upstreamPort);
      const watch = await watchConnections(upstreamPort, ends);
      const rate = await putAll(fbUrl.origin, '/dav/up', folder, files);
      const seen = await watch.stop();
      relayStats = { total: seen.total, peak: Math.max(relayStats.peak, seen.peak) };
      // New ones only: the direct runs' TIME_WAIT sockets expire meanwhile and are not counted.
      for (const pair of timeWaitPairs(upstreamPort)) if (!twBefore.has(pair)) twRelay++;
      return rate;
    };
    const direct = async (folder: string, files: number) => {
      // The same watch as the relayed runs (its counts are not Filebridge's and are dropped).
      const watch = await watchConnections(upstreamPort, new Set());
      const rate = await putAll(directOrigin, '', folder, files);
      await watch.stop();
      return rate;
    };
    await relay('warmup', WARMUP);
    await direct('warmup-direct', WARMUP);
    for (const [i, kind] of ORDER.entries()) {
      execFileSync('sync');
      const before = cpuNow();
      if (kind === 'direct') rates.direct.push(await direct(`direct-${i}`, FILES));
      else rates.relayed.push(await relay(`relayed-${i}`, FILES));
      const after = cpuNow();
      for (const k of ['load', 'filebridge', 'upstream'] as const) cpu[kind][k] += after[k] - before[k];
    }
    console.log('files/s per run:', rates);
    const perFile = (kind: 'relayed' | 'direct') => {
      const files = FILES * rates[kind].length;
      return { load: Math.round(cpu[kind].load / files), filebridge: Math.round(cpu[kind].filebridge / files), upstream: Math.round(cpu[kind].upstream / files) };
    };
    const cpuRelayed = perFile('relayed');
    const cpuDirect = perFile('direct');
    // Run pairs in ABBA order: relayed i against the direct run next to it.
    const pairRatios = rates.relayed.map((r, i) => r / (rates.direct[i] ?? r));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const relayedRate = mean(rates.relayed);
    const directRate = mean(rates.direct);
    const rows = [row(`PUT ${FILES} × 4 KiB, ${CONCURRENCY} client connections`, 'files/s', relayedRate, directRate, 0.7)];
    const notes = [
      `Filebridge relays to a WebDav mount over \`rclone serve webdav\`; the peer is the same PUTs sent straight to that upstream (a relay adds a hop, so the goal is 0.7×).`,
      `Connections Filebridge opened to the upstream: ${relayStats.total} in total, at most ${relayStats.peak} at once (pool size ${POOL}); read with \`ss\` every 200 ms (established and TIME_WAIT client ends; the same sampling runs during the direct runs), nothing between the servers.`,
      `TIME_WAIT sockets on the upstream port from the relay runs: ${twRelay} (new ones during the relay phases).`,
      `Peak RSS of the Filebridge process: ${(peakRss / 1024 / 1024).toFixed(0)} MiB.`,
      `Load: undici Pool, ${CONCURRENCY} connections, no pacing; the load generator and both servers share this machine's ${availableParallelism()} cores over loopback, so the rates measure CPU per file. The upstream's folder is on ${upstreamRoot.startsWith('/dev/shm') ? 'tmpfs (/dev/shm), so the disk\'s write-back does not swing the rates between runs' : 'disk (no tmpfs here)'}.`,
      `${WARMUP} unmeasured uploads each way first; then ${ROUNDS} ABBA rounds (relayed, direct, direct, relayed), each run into a fresh folder after \`sync\`; figures are the means of ${ROUNDS * 2} runs each (${rates.relayed.map((r) => r.toFixed(0)).join(', ')} relayed; ${rates.direct.map((r) => r.toFixed(0)).join(', ')} direct); ratios of neighbouring runs ${Math.min(...pairRatios).toFixed(2)}–${Math.max(...pairRatios).toFixed(2)}.`,
      `CPU per file (user + system, µs), relayed: load generator ${cpuRelayed.load}, Filebridge ${cpuRelayed.filebridge}, rclone ${cpuRelayed.upstream}; direct: load generator ${cpuDirect.load}, rclone ${cpuDirect.upstream}. The relayed rate is bounded by the cores over the sum of the three.`,
    ];
    const out = writeResults('relay', 'direct to rclone serve webdav', rows, notes);
    console.log(JSON.stringify({ relayed: relayedRate, direct: directRate, ratio: rows[0]?.ratio, connections: relayStats, timeWait: twRelay, peakRssMiB: Math.round(peakRss / 1048576), cpuPerFileMicros: { relayed: cpuRelayed, direct: cpuDirect } }));
    console.log(`results: ${out.md}`);
  } finally {
    clearInterval(sampler);
    await fb.stop();
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(upstreamRoot, { recursive: true, force: true });
  }
}
