/**
 * Issue 17's hot paths, measured with wrk beside a peer in one run, in ABBA rounds (Filebridge,
 * peer, peer, Filebridge, ...), medians and spread:
 * - POST /api/fs/list of a 100-entry Local folder (API token and JWT) vs `rclone serve http`'s
 *   HTML listing of the same folder; and Filebridge's own 1-entry listing, for the per-entry cost.
 * - WebDAV GET of a 256 MiB file vs `rclone serve webdav` and nginx with sendfile; /d and /p of the
 *   same file over 10 runs (the rate and RSS must stay steady).
 * - WebDAV PUT of new 4 KiB files vs rclone serve webdav.
 * - PROPFIND Depth 1 on a 5,000-entry folder vs rclone serve webdav.
 * Results in bench/results/hot.{json,md}. `BENCH_SECONDS` sets each wrk run's length (default 5).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuth } from './lib/load.js';
import { type BenchRow, row, writeResults } from './lib/results.js';
import { BENCH_PASS, BENCH_USER, type RunningPeer, freePort, rssOf, startFilebridgeChild, startRcloneServe } from './lib/servers.js';
import { type WrkRequest, median, spread, wrk } from './lib/wrk-run.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BIG = 256 * 1024 ** 2;
/** `BENCH_CASES=list,get,dp,put,propfind` runs only those. */
const CASES = new Set((process.env.BENCH_CASES ?? 'list,get,dp,put,propfind').split(','));
const BASIC = { authorization: basicAuth(BENCH_USER, BENCH_PASS) };

interface Side {
  name: string;
  run: () => Promise<number>;
}

/** ABBA rounds of two sides; the medians and spreads of each. */
async function abba(a: Side, b: Side): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [a, b, b, a] : [b, a, a, b];
    for (const side of order) (side === a ? out.a : out.b).push(await side.run());
  }
  return out;
}

async function rate(req: WrkRequest, connections: number, what: 'req' | 'bytes' = 'req'): Promise<number> {
  const r = await wrk(req, { connections, seconds: SECONDS });
  if (r.errors > 0) throw new Error(`${req.method ?? 'GET'} ${req.url}: ${r.errors} errors of ${r.requests}\n${r.output}`);
  return what === 'req' ? r.requestsPerSec : r.bytesPerSec / 1024 ** 2;
}

async function json(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const j = (await r.json()) as { code: number; message: string; data: Record<string, unknown> };
  if (j.code !== 200) throw new Error(`${url}: ${j.code} ${j.message}`);
  return j.data;
}

function startNginx(root: string): Promise<{ url: string; stop: () => void }> {
  return freePort().then((port) => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-nginx-'));
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `daemon off; user root; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port}; root ${root}; } }
`,
    );
    const child: ChildProcess = spawn('/usr/sbin/nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
    return new Promise((done) =>
      setTimeout(
        () =>
          done({
            url: `http://127.0.0.1:${port}`,
            stop: () => {
              child.kill('SIGTERM');
              rmSync(dir, { recursive: true, force: true });
            },
          }),
        500,
      ),
    );
  });
}

async function startRcloneHttp(root: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn('rclone', ['serve', 'http', '--addr', `127.0.0.1:${port}`, root], { stdio: 'ignore', env: { ...process.env, RCLONE_CONFIG: '/dev/null' } });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

export async function benchHot(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'fb-hot-'));
  const root = join(work, 'root');
  for (const [dir, n] of [['d100', 100], ['d1', 1], ['d5000', 5000]] as const) {
    mkdirSync(join(root, dir), { recursive: true });
    for (let i = 0; i < n; i++) writeFileSync(join(root, dir, `file-${String(i).padStart(5, '0')}.mkv`), 'x'.repeat(1000));
  }
  mkdirSync(join(root, 'big'));
  writeFileSync(join(root, 'big', 'big.bin'), '');
  truncateSync(join(root, 'big', 'big.bin'), BIG);
  mkdirSync(join(root, 'put-fb'));
  mkdirSync(join(root, 'put-rc'));

  const fb = await startFilebridgeChild(join(work, 'data'), root);
  const rcDav: RunningPeer = await startRcloneServe(root);
  const rcHttp = await startRcloneHttp(root);
  const nginx = await startNginx(root);
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  try {
    const origin = new URL(fb.davUrl).origin;
    const jwt = String((await json(`${origin}/api/auth/login`, { username: BENCH_USER, password: BENCH_PASS })).token);
    const apiToken = String((await json(`${origin}/api/me/tokens/create`, { name: 'bench', scope: 'write' }, { authorization: jwt })).token);
    const list = (path: string, auth: string): WrkRequest => ({
      url: `${origin}/api/fs/list`,
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ path }),
      expect: [200],
    });
    if (CASES.has('list')) {
    // Warm-up: JIT and caches on both sides.
    await rate(list('/d100', apiToken), 16);
    await rate({ url: `${rcHttp.url}/d100/` }, 16);

    const l100 = await abba({ name: 'fb', run: () => rate(list('/d100', apiToken), 64) }, { name: 'rclone', run: () => rate({ url: `${rcHttp.url}/d100/`, expect: [200] }, 64) });
    rows.push(row('POST /api/fs/list, 100 entries, API token, 64 conn (peer: rclone serve http HTML listing)', 'req/s', median(l100.a), median(l100.b), 3));
    notes.push(`list 100: Filebridge ${spread(l100.a)}, rclone serve http ${spread(l100.b)} req/s`);
    const l100j = await abba({ name: 'fb', run: () => rate(list('/d100', jwt), 64) }, { name: 'fb1', run: () => rate(list('/d1', jwt), 64) });
    rows.push(row('list 100 entries vs 1 entry, JWT, 64 conn (peer: Filebridge itself, 1 entry)', 'req/s', median(l100j.a), median(l100j.b), 0.5));
    const l1t = await abba({ name: 'fb', run: () => rate(list('/d100', apiToken), 64) }, { name: 'fb1', run: () => rate(list('/d1', apiToken), 64) });
    rows.push(row('list 100 entries vs 1 entry, API token, 64 conn (peer: Filebridge itself, 1 entry)', 'req/s', median(l1t.a), median(l1t.b), 0.5));
    notes.push(`list 1 entry: JWT ${spread(l100j.b)}, API token ${spread(l1t.b)} req/s`);
    }

    if (CASES.has('get')) {
    // Big file GET: Filebridge WebDAV vs rclone webdav vs nginx sendfile.
    const bigFb: WrkRequest = { url: `${fb.davUrl}/big/big.bin`, headers: BASIC, expect: [200] };
    const bigRc: WrkRequest = { url: `${rcDav.davUrl}/big/big.bin`, headers: BASIC, expect: [200] };
    const g = await abba({ name: 'fb', run: () => rate(bigFb, 4, 'bytes') }, { name: 'rclone', run: () => rate(bigRc, 4, 'bytes') });
    rows.push(row('WebDAV GET 256 MiB, 4 conn (peer: rclone serve webdav)', 'MiB/s', median(g.a), median(g.b), 1));
    const gn = await abba({ name: 'fb', run: () => rate(bigFb, 4, 'bytes') }, { name: 'nginx', run: () => rate({ url: `${nginx.url}/big/big.bin`, expect: [200] }, 4, 'bytes') });
    rows.push(row('WebDAV GET 256 MiB, 4 conn (peer: nginx sendfile)', 'MiB/s', median(gn.a), median(gn.b), 0.8));
    notes.push(`GET 256 MiB: Filebridge ${spread([...g.a, ...gn.a])}, rclone ${spread(g.b)}, nginx ${spread(gn.b)} MiB/s`);
    }

    if (CASES.has('dp')) {
    // /d and /p: 10 runs each; steady means the last runs are as fast as the first.
    const signed = (await json(`${origin}/api/fs/get`, { path: '/big/big.bin' }, { authorization: jwt })).sign as string;
    const q = signed ? `?sign=${encodeURIComponent(signed)}` : '';
    for (const door of ['d', 'p']) {
      const runs: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < 10; i++) {
        runs.push(await rate({ url: `${origin}/${door}/big/big.bin${q}`, headers: { authorization: jwt }, expect: [200] }, 4, 'bytes'));
        rss.push(fb.pid ? rssOf(fb.pid) / 1024 ** 2 : 0);
      }
      const first = median(runs.slice(0, 3));
      const last = median(runs.slice(-3));
      rows.push(row(`/${door} GET 256 MiB, 4 conn, 10 runs: last 3 vs first 3 (peer: the first 3)`, 'MiB/s', last, first, 0.9));
      notes.push(`/${door}: runs ${runs.map((r) => r.toFixed(0)).join(', ')} MiB/s; RSS after each ${rss.map((r) => r.toFixed(0)).join(', ')} MiB`);
    }

    }
    if (CASES.has('put')) {
    // PUT of new 4 KiB files.
    const put = await abba(
      { name: 'fb', run: () => rate({ url: `${fb.davUrl}/put-fb/`, headers: BASIC, newPathEach: { bytes: 4096 }, expect: [201] }, 16) },
      { name: 'rclone', run: () => rate({ url: `${rcDav.davUrl}/put-rc/`, headers: BASIC, newPathEach: { bytes: 4096 }, expect: [201] }, 16) },
    );
    rows.push(row('WebDAV PUT new 4 KiB files, 16 conn (peer: rclone serve webdav)', 'req/s', median(put.a), median(put.b), 1.2));
    notes.push(`PUT: Filebridge ${spread(put.a)}, rclone ${spread(put.b)} req/s`);

    }
    if (CASES.has('propfind')) {
    // PROPFIND depth 1 of 5,000 entries.
    const pf = (url: string): WrkRequest => ({
      url,
      method: 'PROPFIND',
      headers: { ...BASIC, depth: '1', 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
      expect: [207],
    });
    const p = await abba({ name: 'fb', run: () => rate(pf(`${fb.davUrl}/d5000/`), 4) }, { name: 'rclone', run: () => rate(pf(`${rcDav.davUrl}/d5000/`), 4) });
    rows.push(row('PROPFIND Depth 1, 5,000 entries, allprop, 4 conn (peer: rclone serve webdav)', 'req/s', median(p.a), median(p.b), 2.5));
    notes.push(`PROPFIND: Filebridge ${spread(p.a, 1)}, rclone ${spread(p.b, 1)} req/s`);
    }
  } finally {
    await fb.stop();
    await rcDav.stop();
    rcHttp.stop();
    nginx.stop();
    rmSync(work, { recursive: true, force: true });
  }
  notes.push(
    `wrk 4.1 on 1 thread (the server has the other core), ${SECONDS} s per run, ${ROUNDS} ABBA rounds (4 runs per side for two-sided cases); figures are medians, spreads above. Filebridge runs as \`npm start\` does (dist/, NODE_ENV=production, one Local storage at /), rclone 1.60 from Debian, nginx-light from Debian with sendfile on.`,
  );
  for (const r of rows) console.log(`${r.case}: ${r.filebridge.toFixed(1)} vs ${r.peer.toFixed(1)} ${r.unit} = ${r.ratio}×${r.goal ? ` (goal ${r.goal}×: ${r.met ? 'met' : 'not met'})` : ''}`);
  for (const n of notes) console.log(`  ${n}`);
  if (CASES.size < 5) return rows;
  writeResults('hot', 'peer (per row)', rows, notes);
  return rows;
}
