import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const BENCH_USER = 'admin';
export const BENCH_PASS = 'bench-pass';

export interface RunningPeer {
  name: string;
  /** Base URL of the WebDAV root (no trailing slash). */
  davUrl: string;
  /** Process id of the server, for RSS sampling. */
  pid?: number;
  stop(): Promise<void>;
}

/** Resident set size of a process in bytes (Linux), 0 when it cannot be read. */
/** CPU time (user + system) a process has used so far, in microseconds; 0 when it cannot be read. */
export function cpuMicrosOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (100 on every common build). */
const CLOCK_TICKS = 100;

export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => done(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** Waits until the child prints a line matching `ready`, or fails with its output. */
function waitReady(child: ChildProcess, ready: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) done(m);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${what} exited with ${code}: ${out}`)));
  });
}

/** Filebridge in its own process (so the load generator does not share its event loop), built as `npm start` runs it. */
export async function startFilebridgeChild(dataDir: string, rootDir: string, storages?: unknown[]): Promise<RunningPeer> {
  const entry = resolve(import.meta.dirname, 'filebridge-child.mjs');
  const args = [entry, dataDir, rootDir, ...(storages ? [JSON.stringify(storages)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  const m = await waitReady(child, /READY (http:\/\/\S+) (\d+)/, 'filebridge');
  return { name: 'filebridge', davUrl: `${m[1]}/dav`, pid: Number(m[2]), stop: () => stopChild(child) };
}

/** `rclone serve webdav` over the same folder, with Basic auth as Filebridge has. */
export async function startRcloneServe(rootDir: string): Promise<RunningPeer> {
  const port = await freePort();
  const child = spawn('rclone', ['serve', 'webdav', '--addr', `127.0.0.1:${port}`, '--user', BENCH_USER, '--pass', BENCH_PASS, rootDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RCLONE_CONFIG: '/dev/null' },
  });
  await waitReady(child, /WebDav Server started|Serving on|listening/i, 'rclone serve webdav');
  return { name: 'rclone', davUrl: `http://127.0.0.1:${port}`, ...(child.pid ? { pid: child.pid } : {}), stop: () => stopChild(child) };
}
