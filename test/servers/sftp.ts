import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './rclone.js';

export interface SftpTestServer {
  host: string;
  port: number;
  /** host:port, as the driver's `address` option takes it. */
  address: string;
  username: string;
  password: string;
  close(): Promise<void>;
}

export { freePort };

function requireRclone(): void {
  const probe = spawnSync('rclone', ['version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'rclone is not installed: the SFTP tests use `rclone serve sftp` as their server. ' +
        '`npm test` installs it (scripts/apt-packages.txt); or run `apt-get install -y rclone`.',
    );
  }
}

/** Resolves once rclone says it listens; rejects with its output if it exits first. */
function waitListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (/SFTP server listening on/.test(output)) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`rclone serve sftp exited (${code}) before listening:\n${output}`)));
    child.once('error', reject);
  });
}

/**
 * Starts `rclone serve sftp` on 127.0.0.1 over `dir`, with password login u/p, or with
 * `authorizedKeys` (authorized_keys lines) key login only. The VFS directory cache is off so
 * changes made directly in `dir` show at once.
 */
export async function startSftpServer(dir: string, options: { authorizedKeys?: string } = {}): Promise<SftpTestServer> {
  requireRclone();
  const port = await freePort();
  let keysDir: string | undefined;
  let login = ['--user', 'u', '--pass', 'p'];
  if (options.authorizedKeys !== undefined) {
    keysDir = mkdtempSync(join(tmpdir(), 'filebridge-sftp-keys-'));
    writeFileSync(join(keysDir, 'authorized_keys'), options.authorizedKeys);
    login = ['--authorized-keys', join(keysDir, 'authorized_keys')];
  }
  const child = spawn('rclone', ['serve', 'sftp', '--addr', `127.0.0.1:${port}`, ...login, '--dir-cache-time', '0s', '--config', '/dev/null', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.once('exit', () => {
    if (keysDir) rmSync(keysDir, { recursive: true, force: true });
  });
  await waitListening(child);
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    username: 'u',
    password: 'p',
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
