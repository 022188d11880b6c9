import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../servers/rclone.js';

/**
 * A real `transmission-daemon` in the foreground on 127.0.0.1, with everything that could reach
 * beyond this machine turned off (DHT, local peer discovery, uTP, port mapping, blocklists).
 */
export class TransmissionDaemon {
  private child: ChildProcess | undefined;
  private log = '';
  port = 0;

  constructor(readonly dir: string) {}

  get uri(): string {
    return `http://127.0.0.1:${this.port}/transmission/rpc`;
  }

  static assertInstalled(): void {
    const probe = spawnSync('transmission-daemon', ['--version'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) {
      throw new Error("transmission-daemon is not installed: the Transmission tests need Debian's transmission-daemon (scripts/ensure-deps.sh; or apt-get install -y transmission-daemon)");
    }
  }

  async start(): Promise<void> {
    TransmissionDaemon.assertInstalled();
    if (this.port === 0) this.port = await freePort();
    const peerPort = await freePort();
    mkdirSync(join(this.dir, 'config'), { recursive: true });
    mkdirSync(join(this.dir, 'downloads'), { recursive: true });
    const args = [
      '--foreground',
      '--config-dir', join(this.dir, 'config'),
      '--port', String(this.port),
      '--rpc-bind-address', '127.0.0.1',
      '--allowed', '127.0.0.1',
      '--no-auth',
      '--download-dir', join(this.dir, 'downloads'),
      '--no-incomplete-dir',
      '--no-watch-dir',
      '--no-dht',
      '--no-lpd',
      '--no-utp',
      '--no-portmap',
      '--no-blocklist',
      '--peerport', String(peerPort),
      '--bind-address-ipv4', '127.0.0.1',
      '--bind-address-ipv6', '::1',
      '--log-error',
    ];
    this.log = '';
    const child = spawn('transmission-daemon', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`transmission-daemon exited with ${child.exitCode}: ${this.log}`);
      try {
        const res = await fetch(this.uri, { method: 'POST', body: '{"method":"session-get"}' });
        // 409 hands out the session id: the RPC is up.
        if (res.status === 409 || res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`transmission-daemon did not answer on ${this.uri}: ${this.log}`);
  }

  /** Calls the RPC directly (the session-id handshake included), for the test's own checks. */
  async rpc(method: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    let session = '';
    for (let i = 0; i < 2; i++) {
      const res = await fetch(this.uri, { method: 'POST', headers: session ? { 'x-transmission-session-id': session } : {}, body: JSON.stringify({ method, arguments: args }) });
      if (res.status === 409) {
        session = res.headers.get('x-transmission-session-id') ?? '';
        continue;
      }
      return ((await res.json()) as { arguments: Record<string, unknown> }).arguments;
    }
    throw new Error('no session id');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGKILL');
    });
  }
}
