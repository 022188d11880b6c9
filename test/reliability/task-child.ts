import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const CHILD = resolve(import.meta.dirname, 'task-crash-child.ts');

export interface Started {
  child: ChildProcess;
  url: string;
}

/** Starts a server in a child process over `data` (see task-crash-child.ts); resolves once it listens. */
export function startChild(data: string, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env, CRASH_DATA: data }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m?.[1]) done({ child, url: m[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') fail(new Error(`server exited (${code ?? signal}): ${out}`));
    });
  });
}

/** SIGKILL, resolved once the process is gone. */
export function kill(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}
