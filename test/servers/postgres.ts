import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './rclone.js';

const run = promisify(execFile);

export interface PostgresServer {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  /** Creates a new, empty database and returns its connection string. */
  connectionString(): Promise<string>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'PostgreSQL is not installed: the database tier runs its suites on a throwaway PostgreSQL cluster. ' +
  '`npm test` installs it (scripts/ensure-deps.sh reads scripts/apt-packages.txt); or run `apt-get install -y postgresql`.';

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb and pg_ctl (Debian's layout), or PG_BIN. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.PG_BIN) candidates.push(env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(root, v, 'bin')));
  }
  const bin = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (bin === undefined) throw new Error(INSTALL_HINT);
  return bin;
}

interface Runner {
  /** Runs a PostgreSQL binary as the user that owns the cluster (postgres refuses root). */
  exec(file: string, args: string[]): Promise<void>;
  prepareDir(dir: string): Promise<void>;
}

async function runner(): Promise<Runner> {
  if (process.getuid?.() !== 0) {
    return { exec: async (file, args) => void (await run(file, args)), prepareDir: async () => undefined };
  }
  const { stdout: uid } = await run('id', ['-u', 'postgres']).catch(() => {
    throw new Error(`${INSTALL_HINT} (no "postgres" user to run it as; root cannot run PostgreSQL)`);
  });
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return {
    exec: async (file, args) => void (await run('runuser', ['-u', 'postgres', '--', file, ...args])),
    prepareDir: (dir) => chown(dir, Number(uid.trim()), Number(gid.trim())),
  };
}

function failure(what: string, err: unknown, logFile?: string): Error {
  const log = logFile && existsSync(logFile) ? `\n${readFileSync(logFile, 'utf8').slice(-2000)}` : '';
  const detail = err instanceof Error ? err.message : String(err);
  return new Error(`PostgreSQL ${what} failed: ${detail}${log}`, { cause: err });
}

async function startCluster(bin: string, as: Runner, dir: string): Promise<number> {
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const initdb = ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'];
  await as.exec(path.join(bin, 'initdb'), initdb).catch((err: unknown) => {
    throw failure('initdb', err);
  });
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      await as.exec(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', opts, '-w', '-t', '30', 'start']);
      return port;
    } catch (err) {
      lastError = err; // most likely the port was taken meanwhile: try another
    }
  }
  throw failure('start', lastError, log);
}

/**
 * Starts a private PostgreSQL cluster for tests: a temp data directory, a free loopback port,
 * trust auth, fsync off. Fails (never skips) when PostgreSQL is not installed.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const as = await runner();
  const dir = await mkdtemp(path.join(tmpdir(), 'filebridge-pg-'));
  await as.prepareDir(dir);
  let port: number;
  try {
    port = await startCluster(bin, as, dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    connectionString: async () => {
      const name = `fb_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    stop: async () => {
      try {
        await as.exec(path.join(bin, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
