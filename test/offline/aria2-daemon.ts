import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../servers/rclone.js';

/** A real `aria2c --enable-rpc` on 127.0.0.1, started (and stopped, and started again) by a test. */
export class Aria2Daemon {
  private child: ChildProcess | undefined;
  private log = '';
  port = 0;

  constructor(
    readonly secret: string,
    readonly dir: string,
  ) {}

  get uri(): string {
    return `http://127.0.0.1:${this.port}/jsonrpc`;
  }

  static assertInstalled(): void {
    const probe = spawnSync('aria2c', ['--version'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) {
      throw new Error('aria2c is not installed: the aria2 tests need Debian\'s aria2 (scripts/ensure-deps.sh reads scripts/apt-packages.txt; or apt-get install -y aria2)');
    }
  }

  /** Starts it on its port (a free one the first time; the same one again after `stop`). */
  async start(): Promise<void> {
    Aria2Daemon.assertInstalled();
    if (this.port === 0) this.port = await freePort();
    mkdirSync(this.dir, { recursive: true });
    const args = [
      '--enable-rpc',
      `--rpc-listen-port=${this.port}`,
      `--rpc-secret=${this.secret}`,
      '--rpc-listen-all=false',
      `--dir=${this.dir}`,
      '--no-conf',
      '--quiet=true',
      '--check-certificate=false',
      '--max-tries=0',
      '--retry-wait=1',
      '--auto-save-interval=1',
      '--disable-ipv6=true',
      ...(process.env.ARIA2_LOG ? [`--log=${process.env.ARIA2_LOG}`, '--log-level=info'] : []),
    ];
    this.log = '';
    const child = spawn('aria2c', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`aria2c exited with ${child.exitCode}: ${this.log}`);
      try {
        const res = await fetch(this.uri, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 'up', method: 'aria2.getVersion', params: [`token:${this.secret}`] }) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`aria2c did not answer on ${this.uri}: ${this.log}`);
  }

  /** Stops it (SIGKILL: like a crashed or killed daemon, nothing saved on the way out). */
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
