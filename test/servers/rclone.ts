import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { selfSignedCert } from './tls.js';

export interface RcloneServer {
  /** http://127.0.0.1:<port>/ (https:// with `tls`) */
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
  const insecure = url.startsWith('https:') ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  try {
    await poll(url, child, log, insecure);
  } finally {
    await insecure?.close();
  }
}

async function poll(url: string, child: ChildProcess, log: () => string, dispatcher: Agent | undefined): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`rclone serve webdav exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await request(url, { method: 'PROPFIND', headers: { depth: '0' }, ...(dispatcher ? { dispatcher } : {}) });
      await res.body.dump();
      if (res.statusCode === 207 || res.statusCode === 401) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`rclone serve webdav did not answer at ${url}: ${log()}`);
}

/**
 * Starts `rclone serve webdav` on 127.0.0.1 serving `dir`; optional basic-auth credentials; with
 * `tls`, HTTPS with a self-signed certificate (see ./tls.ts).
 */
export async function startRcloneWebdav(dir: string, auth?: { user: string; pass: string }, options: { tls?: boolean } = {}): Promise<RcloneServer> {
  assertRclone();
  const port = await freePort();
  let certDir: string | undefined;
  const tlsArgs: string[] = [];
  if (options.tls) {
    const { key, cert } = selfSignedCert();
    certDir = mkdtempSync(join(tmpdir(), 'filebridge-rclone-tls-'));
    writeFileSync(join(certDir, 'cert.pem'), cert);
    writeFileSync(join(certDir, 'key.pem'), key, { mode: 0o600 });
    tlsArgs.push('--cert', join(certDir, 'cert.pem'), '--key', join(certDir, 'key.pem'));
  }
  const args = ['serve', 'webdav', '--addr', `127.0.0.1:${port}`, '--config', '/dev/null', ...tlsArgs, ...(auth ? ['--user', auth.user, '--pass', auth.pass] : []), dir];
  const child = spawn('rclone', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AWS_CA_BUNDLE: '' } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      if (certDir) rmSync(certDir, { recursive: true, force: true });
      resolve();
    }),
  );
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
