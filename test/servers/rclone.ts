import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export interface RcloneServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A port that was free a moment ago: bind port 0, read it, release it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function assertRclone(): void {
  const probe = spawnSync('rclone', ['version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'rclone is not installed: the WebDAV driver tests run against `rclone serve webdav`. ' +
        '`npm test` installs it (scripts/ensure-deps.sh reads scripts/apt-packages.txt); or run `apt-get install -y rclone`.',
    );
  }
}

async function waitUntilAnswering(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`rclone serve webdav exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await request(url, { method: 'PROPFIND', headers: { depth: '0' } });
      await res.body.dump();
      if (res.statusCode === 207 || res.statusCode === 401) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`rclone serve webdav did not answer at ${url}: ${log()}`);
}

/** Starts `rclone serve webdav` on 127.0.0.1 serving `dir`; optional basic-auth credentials. */
export async function startRcloneWebdav(dir: string, auth?: { user: string; pass: string }): Promise<RcloneServer> {
  assertRclone();
  const port = await freePort();
  const args = ['serve', 'webdav', '--addr', `127.0.0.1:${port}`, '--config', '/dev/null', ...(auth ? ['--user', auth.user, '--pass', auth.pass] : []), dir];
  const child = spawn('rclone', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AWS_CA_BUNDLE: '' } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}/`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilAnswering(url, child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    port,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
