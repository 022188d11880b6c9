/**
 * Start-up: process start to the first `pong` from /ping, for `node bin/filebridge server` (as
 * `npm start` runs it, over a fresh data folder; then again with 20 S3 and 20 SFTP mounts, whose
 * SDKs load only when a mount of them starts) beside a bare fastify server answering /ping, the
 * floor any Node HTTP server pays. Median of 7 runs each, interleaved. Goal (issue 17): ≤ 2× bare.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { row, writeResults } from './lib/results.js';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = 7;

/** Spawns `args`, polls /ping on the printed or given port; resolves with ms from spawn to the first pong. */
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchStartup(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'filebridge-bench-startup-'));
  const bare = join(work, 'bare.mjs');
  writeFileSync(bare, `import Fastify from '${resolve(ROOT, 'node_modules/fastify/fastify.js')}';\nconst app = Fastify();\napp.get('/ping', async () => 'pong');\nawait app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });\n`);
  const heavy = join(work, 'heavy.mjs');
  // 20 S3 and 20 SFTP mounts pointing at nothing (they fail in the background; start-up must not wait).
  writeFileSync(
    heavy,
    `import { openDatabase } from '${resolve(ROOT, 'dist/main.js')}';\nimport { loadConfig } from '${resolve(ROOT, 'dist/config/load.js')}';\n` +
      `const { database, repos } = await openDatabase(loadConfig({ env: {}, flags: { data: process.argv[2] } }));\n` +
      `for (let i = 0; i < 20; i++) { await repos.storages.create({ mountPath: '/s3-' + i, driver: 'S3', addition: JSON.stringify({ bucket: 'b', endpoint: 'http://127.0.0.1:9', access_key_id: 'a', secret_access_key: 'b' }) });\n` +
      `  await repos.storages.create({ mountPath: '/sftp-' + i, driver: 'SFTP', addition: JSON.stringify({ address: '127.0.0.1:9' }) }); }\nawait database.close();\n`,
  );
  const times = { fresh: [] as number[], mounts: [] as number[], bare: [] as number[] };
  try {
    const mountsData = join(work, 'mounts');
    await new Promise<void>((ok, fail) => spawn(process.execPath, [heavy, mountsData], { stdio: 'inherit' }).on('exit', (c) => (c === 0 ? ok() : fail(new Error(`seed exited ${c}`)))));
    for (let i = 0; i < RUNS; i++) {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const fresh = join(work, `fresh-${i}`);
      times.fresh.push(await timeToPing(['bin/filebridge', 'server', '--host', '127.0.0.1', '--port', String(port), '--data', fresh], port, { FILEBRIDGE_LOG_LEVEL: 'warn' }));
      times.mounts.push(await timeToPing(['bin/filebridge', 'server', '--host', '127.0.0.1', '--port', String(port + 1), '--data', mountsData], port + 1, { FILEBRIDGE_LOG_LEVEL: 'warn' }));
      times.bare.push(await timeToPing([bare, String(port + 2)], port + 2));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const b = median(times.bare);
  // Ratios here are bare / Filebridge (higher is better, 0.5 = twice the bare start).
  const rows = [
    row('start to /ping, fresh data folder', 'ms (median of 7)', median(times.fresh), b),
    row('start to /ping, 40 S3/SFTP mounts that cannot connect', 'ms (median of 7)', median(times.mounts), b),
  ].map((r) => ({ ...r, ratio: Math.round((b / r.filebridge) * 100) / 100, goal: 0.5, met: b / r.filebridge >= 0.5 }));
  const out = writeResults('startup', 'bare fastify', rows, [
    'Ratio = bare fastify start / Filebridge start (higher is better); the goal 0.5 is issue 17’s “≤ 2× the start of a bare fastify server”.',
    `Runs (ms): fresh ${times.fresh.map(Math.round).join(', ')}; mounts ${times.mounts.map(Math.round).join(', ')}; bare ${times.bare.map(Math.round).join(', ')}.`,
  ]);
  console.log(`startup: ${out.md}`);
}
