/**
 * `npm run test:load`: 100 concurrent clients for 60 s doing mixed list / get / download / upload /
 * rename / delete over the API and WebDAV against Filebridge in its own process (Local storage).
 * Each client owns a folder and remembers the SHA-256 of every file it wrote, so afterwards every
 * file is checked on disk: none lost, none corrupted, none left over. Reports 5xx, RSS over time
 * (flat after warm-up?) and event-loop delay (from /metrics). Results: bench/results/load.{json,md}.
 * Exit code 1 on any 5xx, lost or corrupted file.
 * Env: LOAD_CLIENTS (100), LOAD_SECONDS (60), LOAD_WARMUP_SECONDS (15).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { basicAuth } from './lib/load.js';
import { BENCH_PASS, BENCH_USER, rssOf, startFilebridgeChild } from './lib/servers.js';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 100);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const WARMUP = Number(process.env.LOAD_WARMUP_SECONDS ?? 15);
const DAV_AUTH = basicAuth(BENCH_USER, BENCH_PASS);

type Op = 'list' | 'get' | 'download' | 'upload' | 'rename' | 'delete';
const WEIGHTS: [Op, number][] = [['list', 20], ['get', 15], ['download', 25], ['upload', 20], ['rename', 10], ['delete', 10]];

interface Stats {
  ops: Record<string, number>;
  status5xx: number;
  unexpected: number;
  examples: string[];
  latencies: number[];
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function pickOp(): Op {
  let r = Math.random() * WEIGHTS.reduce((s, [, w]) => s + w, 0);
  for (const [op, w] of WEIGHTS) if ((r -= w) < 0) return op;
  return 'list';
}

function enc(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

class Client {
  readonly files = new Map<string, string>();
  private seq = 0;

  constructor(private readonly id: number, private readonly pool: Pool, private readonly token: string, private readonly stats: Stats) {}

  get dir(): string {
    return `/c${this.id}`;
  }

  private async call(method: string, path: string, headers: Record<string, string>, body: Buffer | string | undefined, ok: number[], label: string): Promise<{ status: number; body: Buffer }> {
    const t0 = performance.now();
    const res = await this.pool.request({ method: method as 'GET', path, headers, body });
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    this.stats.latencies.push(performance.now() - t0);
    const buf = Buffer.concat(chunks);
    if (res.statusCode >= 500) {
      this.stats.status5xx++;
      if (this.stats.examples.length < 20) this.stats.examples.push(`${label}: HTTP ${res.statusCode} ${buf.toString().slice(0, 200)}`);
    } else if (!ok.includes(res.statusCode)) {
      this.stats.unexpected++;
      if (this.stats.examples.length < 20) this.stats.examples.push(`${label}: HTTP ${res.statusCode} ${buf.toString().slice(0, 200)}`);
    }
    return { status: res.statusCode, body: buf };
  }

  private async api(path: string, body: unknown, label: string): Promise<{ code: number; data: unknown }> {
    const r = await this.call('POST', path, { authorization: this.token, 'content-type': 'application/json' }, JSON.stringify(body), [200], label);
    const env = JSON.parse(r.body.toString() || '{}') as { code: number; message: string; data: unknown };
    if (env.code >= 500 && !/object not found/.test(env.message)) {
      this.stats.status5xx++;
      if (this.stats.examples.length < 20) this.stats.examples.push(`${label}: envelope ${env.code} ${env.message}`);
    }
    return env;
  }

  private randomFile(): string | undefined {
    const names = [...this.files.keys()];
    return names[Math.floor(Math.random() * names.length)];
  }

  async init(): Promise<void> {
    await this.api('/api/fs/mkdir', { path: this.dir }, 'mkdir');
  }

  async step(): Promise<void> {
    let op = pickOp();
    const name = this.randomFile();
    if (!name && op !== 'list') op = 'upload';
    // fs/get is an API route; every other operation goes half over the API, half over WebDAV.
    const viaDav = op !== 'get' && Math.random() < 0.5;
    this.stats.ops[`${op}:${viaDav ? 'dav' : 'api'}`] = (this.stats.ops[`${op}:${viaDav ? 'dav' : 'api'}`] ?? 0) + 1;
    switch (op) {
      case 'list':
        if (viaDav) await this.call('PROPFIND', `/dav${this.dir}/`, { authorization: DAV_AUTH, depth: '1' }, undefined, [207], 'propfind');
        else await this.api('/api/fs/list', { path: this.dir }, 'list');
        return;
      case 'get': {
        const r = await this.api('/api/fs/get', { path: `${this.dir}/${name}` }, 'get');
        if (r.code !== 200) this.miss(`fs/get ${name}: ${r.code}`);
        return;
      }
      case 'download': {
        let url = `/dav${enc(`${this.dir}/${name}`)}`;
        if (!viaDav) {
          // As the UI does: fs/get gives the signed link.
          const got = await this.api('/api/fs/get', { path: `${this.dir}/${name}` }, 'get for download');
          const sign = (got.data as { sign?: string } | null)?.sign ?? '';
          url = `/d${enc(`${this.dir}/${name}`)}${sign ? `?sign=${encodeURIComponent(sign)}` : ''}`;
        }
        const r = await this.call('GET', url, viaDav ? { authorization: DAV_AUTH } : {}, undefined, [200], 'download');
        if (r.status === 200 && sha(r.body) !== this.files.get(name ?? '')) this.miss(`download ${name}: content differs`);
        return;
      }
      case 'upload': {
        const fresh = Math.random() < 0.7 || !name;
        const target = fresh ? `f${this.seq++} ${randomBytes(2).toString('hex')}.bin` : (name as string);
        const body = randomBytes(1024 + Math.floor(Math.random() * 128 * 1024));
        const path = `${this.dir}/${target}`;
        const r = viaDav
          ? await this.call('PUT', `/dav${enc(path)}`, { authorization: DAV_AUTH }, body, [201, 204], 'dav put')
          : await this.call('PUT', '/api/fs/put', { authorization: this.token, 'file-path': encodeURIComponent(path), 'content-length': String(body.length) }, body, [200], 'api put');
        if (r.status < 300) this.files.set(target, sha(body));
        return;
      }
      case 'rename': {
        const to = `r${this.seq++}.bin`;
        const r = viaDav
          ? await this.call('MOVE', `/dav${enc(`${this.dir}/${name}`)}`, { authorization: DAV_AUTH, destination: `/dav${enc(`${this.dir}/${to}`)}` }, undefined, [201, 204], 'move')
          : { status: (await this.api('/api/fs/rename', { path: `${this.dir}/${name}`, name: to }, 'rename')).code };
        if (r.status === 200 || r.status === 201 || r.status === 204) {
          this.files.set(to, this.files.get(name as string) as string);
          this.files.delete(name as string);
        }
        return;
      }
      case 'delete': {
        const r = viaDav
          ? await this.call('DELETE', `/dav${enc(`${this.dir}/${name}`)}`, { authorization: DAV_AUTH }, undefined, [204], 'delete')
          : { status: (await this.api('/api/fs/remove', { dir: this.dir, names: [name] }, 'remove')).code };
        if (r.status === 200 || r.status === 204) this.files.delete(name as string);
        return;
      }
    }
  }

  private miss(what: string): void {
    this.stats.unexpected++;
    if (this.stats.examples.length < 20) this.stats.examples.push(what);
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

async function metric(origin: string, name: string, token: string): Promise<number | undefined> {
  try {
    // /metrics is for administrators (or the metrics_token).
    const text = await (await fetch(`${origin}/metrics`, { headers: { authorization: token } })).text();
    const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'filebridge-load-'));
  const root = join(work, 'root');
  mkdirSync(root);
  const peer = await startFilebridgeChild(join(work, 'data'), root);
  const origin = new URL(peer.davUrl).origin;
  const pid = peer.pid ?? 0;
  try {
    const login = await fetch(`${origin}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: BENCH_USER, password: BENCH_PASS }) });
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    const pool = new Pool(origin, { connections: CLIENTS, pipelining: 1, keepAliveTimeout: 60_000 });
    const stats: Stats = { ops: {}, status5xx: 0, unexpected: 0, examples: [], latencies: [] };
    const clients = Array.from({ length: CLIENTS }, (_, i) => new Client(i, pool, token, stats));
    for (const c of clients) await c.init();

    const samples: { t: number; rssMiB: number; lagP99Ms?: number }[] = [];
    const start = Date.now();
    const sampler = setInterval(() => {
      const t = (Date.now() - start) / 1000;
      void metric(origin, 'filebridge_nodejs_eventloop_lag_p99_seconds', token).then((p99) => {
        samples.push({ t, rssMiB: rssOf(pid) / 2 ** 20, lagP99Ms: p99 === undefined ? undefined : p99 * 1000 });
      });
    }, 2000);
    const end = start + SECONDS * 1000;
    let errors = 0;
    await Promise.all(
      clients.map(async (c) => {
        while (Date.now() < end) {
          try {
            await c.step();
          } catch (err) {
            errors++;
            if (stats.examples.length < 20) stats.examples.push(`client error: ${String(err)}`);
          }
        }
      }),
    );
    clearInterval(sampler);
    const seconds = (Date.now() - start) / 1000;
    await pool.close();

    // Every file each client remembers must be on disk with its hash; nothing else may be.
    let lost = 0;
    let corrupted = 0;
    let extra = 0;
    let checked = 0;
    for (const c of clients) {
      const dir = join(root, c.dir);
      const onDisk = new Set(existsSync(dir) ? readdirSync(dir) : []);
      for (const [name, hash] of c.files) {
        checked++;
        if (!onDisk.has(name)) lost++;
        else if (sha(readFileSync(join(dir, name))) !== hash) corrupted++;
        onDisk.delete(name);
      }
      extra += onDisk.size;
    }
    const tempLeft = existsSync(join(root, '.filebridge-tmp')) ? readdirSync(join(root, '.filebridge-tmp')).length : 0;

    const afterWarmup = samples.filter((s) => s.t >= WARMUP);
    const quarter = Math.max(1, Math.floor(afterWarmup.length / 4));
    const early = median(afterWarmup.slice(0, quarter).map((s) => s.rssMiB));
    const late = median(afterWarmup.slice(-quarter).map((s) => s.rssMiB));
    const growth = early > 0 ? (late - early) / early : 0;
    const totalOps = Object.values(stats.ops).reduce((a, b) => a + b, 0);
    const lagP99 = afterWarmup.map((s) => s.lagP99Ms ?? 0);
    const result = {
      date: new Date().toISOString(),
      clients: CLIENTS,
      seconds: Math.round(seconds),
      operations: totalOps,
      opsPerSecond: Math.round(totalOps / seconds),
      byOperation: stats.ops,
      status5xx: stats.status5xx,
      unexpectedStatus: stats.unexpected,
      clientErrors: errors,
      filesChecked: checked,
      lost,
      corrupted,
      extra,
      tempLeft,
      latencyMs: { p50: Math.round(percentile(stats.latencies, 50) * 10) / 10, p99: Math.round(percentile(stats.latencies, 99) * 10) / 10, max: Math.round(Math.max(0, ...stats.latencies)) },
      rssMiB: { afterWarmupEarly: Math.round(early), afterWarmupLate: Math.round(late), growthPercent: Math.round(growth * 1000) / 10, peak: Math.round(Math.max(0, ...samples.map((s) => s.rssMiB))) },
      eventLoopDelayMs: { p99Median: Math.round(median(lagP99) * 10) / 10, p99Worst: Math.round(Math.max(0, ...lagP99) * 10) / 10 },
      rssFlat: Math.abs(growth) < 0.2,
      examples: stats.examples,
      samples,
    };
    const out = resolve(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'load.json'), JSON.stringify(result, null, 2) + '\n');
    const md = [
      `# Load: ${CLIENTS} clients, ${Math.round(seconds)} s, mixed API + WebDAV (${result.date})`,
      '',
      '| figure | value |',
      '|---|---|',
      `| operations | ${totalOps} (${result.opsPerSecond}/s) |`,
      `| 5xx | ${stats.status5xx} |`,
      `| unexpected 4xx / content mismatches | ${stats.unexpected} |`,
      `| client errors (sockets) | ${errors} |`,
      `| files checked by SHA-256 afterwards | ${checked}: ${lost} lost, ${corrupted} corrupted, ${extra} extra, ${tempLeft} temp files left |`,
      `| latency p50 / p99 / max | ${result.latencyMs.p50} / ${result.latencyMs.p99} / ${result.latencyMs.max} ms |`,
      `| server RSS after warm-up (${WARMUP} s): first quarter → last quarter | ${result.rssMiB.afterWarmupEarly} → ${result.rssMiB.afterWarmupLate} MiB (${result.rssMiB.growthPercent}%), peak ${result.rssMiB.peak} MiB |`,
      `| event-loop delay p99 (median / worst 2 s window) | ${result.eventLoopDelayMs.p99Median} / ${result.eventLoopDelayMs.p99Worst} ms |`,
      '',
      `Operations: ${Object.entries(stats.ops).sort().map(([k, v]) => `${k} ${v}`).join(', ')}.`,
      '',
    ].join('\n');
    writeFileSync(join(out, 'load.md'), md);
    process.stdout.write(md + '\n');
    if (stats.examples.length) process.stdout.write(`examples:\n${stats.examples.join('\n')}\n`);
    if (stats.status5xx > 0 || lost > 0 || corrupted > 0 || extra > 0 || errors > 0) process.exitCode = 1;
  } finally {
    await peer.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
