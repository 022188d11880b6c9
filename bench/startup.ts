/**
 * Start-up: process start to the first `pong` from /ping, for `node bin/filebridge server` (as
 * `npm start` runs it) beside a bare fastify server answering /ping, the floor any Node HTTP
 * server pays. Cases: a fresh data folder (first start: migrations, admin, settings); 20 S3 and
 * 20 SFTP mounts that cannot connect (their SDKs load only when a mount of them starts); and 100
 * mounts of which 20 hang at init (80 Local over temp folders, 20 WebDAV pointing at a local TCP
 * server that accepts and never answers). Rounds alternate their order (ABBA) so drift in the
 * machine's load falls on every case alike. Goals (issue 17): ≤ 2× bare, and ≤ 400 ms absolute
 * on a quiet machine.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { row, writeResults } from './lib/results.js';

const ROOT = resolve(import.meta.dirname, '..');
/** Rounds; even, so that each order (forwards, backwards) runs as often. */
const ROUNDS = 8;
const GOAL_MS = 400;

/** Spawns `args`, polls /ping on the given port; resolves with ms from spawn to the first pong. */
function timeToPing(args: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => code !== null && code !== 0 && fail(new Error(`exited ${code}: ${err}`)));
    const poll = async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/ping`);
        if ((await r.text()).includes('pong')) {
          const ms = performance.now() - started;
          child.kill('SIGKILL');
          return done(ms);
        }
      } catch {
        /* not listening yet */
      }
      if (performance.now() - started > 30_000) {
        child.kill('SIGKILL');
        return fail(new Error(`no pong within 30 s: ${err}`));
      }
      setTimeout(() => void poll(), 5);
    };
    void poll();
  });
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const quantile = (xs: number[], q: number) => sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.round(q * (xs.length - 1))))] ?? 0;
const median = (xs: number[]) => {
  const s = sorted(xs);
  const mid = s.length / 2;
  return s.length % 2 === 1 ? (s[Math.floor(mid)] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const spread = (xs: number[]) => `${Math.round(quantile(xs, 0.25))}–${Math.round(quantile(xs, 0.75))} (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;

/** A TCP server that accepts connections and never answers: storages pointing at it hang at init. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** Runs a Node script (the seeding below) and waits for it to succeed. */
function runNode(script: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => spawn(process.execPath, [script, ...args], { stdio: 'inherit' }).on('exit', (c) => (c === 0 ? ok() : fail(new Error(`${script} exited ${c}`)))));
}

/** A script that opens the data folder `argv[2]` and stores the storages given as JSON in `argv[3]`. */
function seedScript(work: string): string {
  const file = join(work, 'seed.mjs');
  writeFileSync(
    file,
    `import { readFileSync } from 'node:fs';\nimport { openDatabase } from '${resolve(ROOT, 'dist/main.js')}';\nimport { loadConfig } from '${resolve(ROOT, 'dist/config/load.js')}';\n` +
      `const { database, repos } = await openDatabase(loadConfig({ env: {}, flags: { data: process.argv[2] } }));\n` +
      `for (const s of JSON.parse(readFileSync(process.argv[3], 'utf8'))) await repos.storages.create({ ...s, addition: JSON.stringify(s.addition) });\nawait database.close();\n`,
  );
  return file;
}

async function seed(script: string, work: string, name: string, storages: { mountPath: string; driver: string; addition: Record<string, unknown> }[]): Promise<string> {
  const data = join(work, name);
  const list = join(work, `${name}.json`);
  writeFileSync(list, JSON.stringify(storages));
  await runNode(script, [data, list]);
  return data;
}

type CaseName = 'bare' | 'fresh' | 'mounts40' | 'mounts100';

export async function benchStartup(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'filebridge-bench-startup-'));
  const silent = await silentServer();
  const bare = join(work, 'bare.mjs');
  writeFileSync(bare, `import Fastify from '${resolve(ROOT, 'node_modules/fastify/fastify.js')}';\nconst app = Fastify();\napp.get('/ping', async () => 'pong');\nawait app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });\n`);
  const times: Record<CaseName, number[]> = { bare: [], fresh: [], mounts40: [], mounts100: [] };
  const load: number[] = [];
  try {
    const script = seedScript(work);
    // 20 S3 and 20 SFTP mounts pointing at nothing (they fail in the background; start-up must not wait).
    const unreachable = Array.from({ length: 20 }, (_, i) => [
      { mountPath: `/s3-${i}`, driver: 'S3', addition: { bucket: 'b', endpoint: 'http://127.0.0.1:9', access_key_id: 'a', secret_access_key: 'b' } },
      { mountPath: `/sftp-${i}`, driver: 'SFTP', addition: { address: '127.0.0.1:9' } },
    ]).flat();
    const mounts40 = await seed(script, work, 'mounts40', unreachable);
    // 80 Local mounts over temp folders and 20 WebDAV mounts whose server accepts and never answers.
    const locals = Array.from({ length: 80 }, (_, i) => {
      const dir = join(work, 'locals', String(i));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'a.txt'), 'a');
      return { mountPath: `/local-${i}`, driver: 'Local', addition: { root_folder_path: dir } };
    });
    const hanging = Array.from({ length: 20 }, (_, i) => ({ mountPath: `/hang-${i}`, driver: 'WebDav', addition: { address: `http://127.0.0.1:${silent.port}/dav/${i}/` } }));
    const mounts100 = await seed(script, work, 'mounts100', [...locals, ...hanging]);

    const server = (port: number, data: string) => ['bin/filebridge', 'server', '--host', '127.0.0.1', '--port', String(port), '--data', data];
    const env = { FILEBRIDGE_LOG_LEVEL: 'warn' };
    const run: Record<CaseName, (port: number, i: number) => Promise<number>> = {
      bare: (port) => timeToPing([bare, String(port)], port),
      fresh: (port, i) => timeToPing(server(port, join(work, `fresh-${i}`)), port, env),
      mounts40: (port) => timeToPing(server(port, mounts40), port, env),
      mounts100: (port) => timeToPing(server(port, mounts100), port, env),
    };
    const order: CaseName[] = ['bare', 'fresh', 'mounts40', 'mounts100'];
    for (let i = 0; i < ROUNDS; i++) {
      // ABBA: forwards on rounds 0, 3, 4, 7; backwards on 1, 2, 5, 6.
      const forwards = i % 4 === 0 || i % 4 === 3;
      for (const [k, name] of (forwards ? order : [...order].reverse()).entries()) {
        const port = 20000 + Math.floor(Math.random() * 20000) + k;
        times[name].push(await run[name](port, i));
      }
      load.push(loadavg()[0] ?? 0);
    }
  } finally {
    await silent.close();
    rmSync(work, { recursive: true, force: true });
  }
  const b = median(times.bare);
  const unit = `ms (median of ${ROUNDS})`;
  // Ratios here are bare / Filebridge (higher is better, 0.5 = twice the bare start).
  const rows = [
    row('start to /ping, fresh data folder', unit, median(times.fresh), b),
    row('start to /ping, 40 S3/SFTP mounts that cannot connect', unit, median(times.mounts40), b),
    row('start to /ping, 100 mounts (80 Local, 20 WebDAV that hang at init)', unit, median(times.mounts100), b),
  ].map((r) => ({ ...r, ratio: Math.round((b / r.filebridge) * 100) / 100, goal: 0.5, met: b / r.filebridge >= 0.5 }));
  const absolute = (name: CaseName) => `${Math.round(median(times[name]))} ms ${median(times[name]) <= GOAL_MS ? '≤' : '>'} ${GOAL_MS} ms`;
  const out = writeResults('startup', 'bare fastify', rows, [
    'Ratio = bare fastify start / Filebridge start (higher is better); the goal 0.5 is issue 17’s “≤ 2× the start of a bare fastify server”.',
    `Absolute goal (issue 17: ≤ ${GOAL_MS} ms to the first pong on a quiet machine): fresh ${absolute('fresh')}; 40 mounts ${absolute('mounts40')}; 100 mounts ${absolute('mounts100')}.`,
    `Spread (ms), p25–p75 (min, max): bare ${spread(times.bare)}; fresh ${spread(times.fresh)}; 40 mounts ${spread(times.mounts40)}; 100 mounts ${spread(times.mounts100)}.`,
    `Runs (ms), in round order: bare ${times.bare.map(Math.round).join(', ')}; fresh ${times.fresh.map(Math.round).join(', ')}; 40 mounts ${times.mounts40.map(Math.round).join(', ')}; 100 mounts ${times.mounts100.map(Math.round).join(', ')}.`,
    `Rounds alternate their order (ABBA). Load average (1 min) after each round: ${load.map((l) => l.toFixed(1)).join(', ')} on ${availableParallelism()} cores; figures taken while other work runs on the machine are noisy.`,
  ]);
  console.log(`startup: ${out.md}`);
}
