import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createRepositories, migrateToLatest, type Database, type Repositories } from '../../src/db/index.js';
import { seedFingerprint } from '../../src/drivers/shared/oauth/index.js';
import { AliyunDriveFake } from '../fakes/aliyundrive-fake.js';

const CHILD = resolve(import.meta.dirname, 'oauth-crash-child.ts');
const KILLS = 50;

/**
 * kill -9 a process that refreshes rotating tokens in a loop, 50 times at random points, and check
 * after each kill that the refresh token in the database is still accepted by the provider.
 *
 * What is tested, exactly: the fake rotates on every refresh and keeps the previous refresh token
 * valid only until the new access token is first used (see test/fakes/token-issuer.ts). The
 * token manager saves the rotated refresh token before the access token is used; so whether the
 * kill lands before the provider answered, between its answer and the save, or after, the stored
 * token is one the provider accepts. A manager that used the new access token before saving, or
 * saved nothing, fails this test.
 */
describe('crash safety of rotating refresh tokens (kill -9, SQLite token store)', () => {
  let fake: AliyunDriveFake;
  let dir: string;
  let database: Database;
  let repos: Repositories;
  let id: number;
  let seed: string;

  beforeAll(async () => {
    fake = await AliyunDriveFake.start();
    dir = mkdtempSync(join(tmpdir(), 'filebridge-crash-'));
    database = await createDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
    await migrateToLatest(database);
    repos = createRepositories(database.db);
    seed = fake.issuer.issueRefreshToken();
    id = await repos.storages.create({ mountPath: '/ali', driver: 'AliyundriveOpen', addition: JSON.stringify({ refresh_token: seed }) });
  });

  afterAll(async () => {
    await database?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storedToken(): Promise<string> {
    const state = JSON.parse((await repos.storages.loadState(id)) ?? '{}') as { refresh_token?: string; seed?: string };
    return state.refresh_token && state.seed === seedFingerprint(seed) ? state.refresh_token : seed;
  }

  /** Runs the child until it printed `ready`, waits `delayMs`, kills it with SIGKILL. Returns how many tokens it used. */
  function runAndKill(delayMs: number): Promise<number> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
        env: {
          ...process.env,
          CRASH_DB: join(dir, 'db.sqlite'),
          CRASH_STORAGE_ID: String(id),
          CRASH_SEED: seed,
          CRASH_TOKEN_URL: `${fake.url}/oauth/access_token`,
          CRASH_API_URL: `${fake.url}/adrive/v1.0/user/getDriveInfo`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let armed = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!armed && out.includes('ready\n')) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', fail);
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') done(out.split('used\n').length - 1);
        else fail(new Error(`child exited by itself (${code}): ${err}`));
      });
    });
  }

  it(`the stored refresh token survives ${KILLS} kills at random points`, async () => {
    let used = 0;
    for (let i = 0; i < KILLS; i++) {
      used += await runAndKill(Math.floor(Math.random() * 150));
      const token = await storedToken();
      expect(fake.issuer.accepts(token), `after kill ${i + 1}`).toBe(true);
    }
    // The kills landed while refreshing: many refreshes and uses happened in between.
    expect(fake.issuer.stats.refreshes).toBeGreaterThan(KILLS);
    expect(used).toBeGreaterThan(0);
    expect(fake.issuer.stats.refused).toBe(0);
    // And the stored token really works.
    const out = fake.issuer.refresh(await storedToken());
    expect(out.ok).toBe(true);
  // Fifty child processes, each compiling TypeScript as it starts: minutes on a loaded 2-core machine.
  }, 300_000);
});
