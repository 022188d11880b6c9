import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/index.js';
import { seedFingerprint } from '../../src/drivers/shared/oauth/index.js';
import { openDatabase, startFilebridge } from '../../src/main.js';
import { AliyunDriveFake } from '../fakes/aliyundrive-fake.js';
import { aliOptions } from '../fakes/aliyundrive-setup.js';
import type { Fault } from '../fakes/faults.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

interface MountHealth {
  mount_path: string;
  state: string;
  error: string | null;
}

/** The token endpoint faults of the matrix; "rotate" is no fault: tokens rotate (and are revoked) as usual. */
const FAULTS: Record<string, Fault | undefined> = {
  hang: { kind: 'hang' },
  '500': { kind: 'status', status: 500 },
  '504': { kind: 'status', status: 504 },
  '429': { kind: 'rate_limit', retryAfterSec: 1 },
  reject: { kind: 'reject' },
  rotate: undefined,
};
const NAMES = Object.keys(FAULTS);
const TRANSIENT = ['hang', '500', '504', '429'];

async function readyz(server: TestServer): Promise<Record<string, MountHealth>> {
  // Mount details are for administrators (the admin token here).
  const body = (await (await fetch(`${server.url}/readyz`, { headers: { authorization: server.settings.get('token') } })).json()) as { mounts: MountHealth[] };
  return Object.fromEntries(body.mounts.map((m) => [m.mount_path, m]));
}

async function mountId(server: TestServer, path: string): Promise<number> {
  const rec = await server.repos.storages.getByMountPath(path);
  if (!rec) throw new Error(`no storage ${path}`);
  return rec.id;
}

/** The refresh token the database holds for a storage: the rotated one when it belongs to the configured one. */
async function storedRefreshToken(server: TestServer, path: string): Promise<string> {
  const id = await mountId(server, path);
  const rec = await server.repos.storages.get(id);
  const addition = JSON.parse(rec?.addition ?? '{}') as { refresh_token: string };
  const state = JSON.parse((await server.repos.storages.loadState(id)) ?? '{}') as { seed?: string; refresh_token?: string };
  return state.refresh_token && state.seed === seedFingerprint(addition.refresh_token) ? state.refresh_token : addition.refresh_token;
}

/** `filebridge storage set-token` run in-process against the server's data folder. */
async function setToken(server: TestServer, path: string, token: string): Promise<void> {
  const lines: string[] = [];
  const cli = buildCli({ start: startFilebridge, openDatabase }, (l) => lines.push(l));
  await cli.parseAsync(['node', 'filebridge', 'storage', 'set-token', path, token, '--data', server.dataDir]);
  expect(lines.join('\n')).toMatch(/refresh token saved/);
}

describe('OAuth fault matrix: token endpoint {hang, 500, 504, 429, reject, rotate} x {start-up, serving}', () => {
  let server: TestServer;
  let work: string;
  const fakes: Record<string, AliyunDriveFake> = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-oauth-'));
    writeFileSync(join(work, 'hello.txt'), 'hello');
    const storages = [{ mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) }];
    for (const phase of ['s', 'v']) {
      for (const name of NAMES) {
        const fake = await AliyunDriveFake.start({ accessLifetimeMs: phase === 'v' ? 2_500 : 60_000 });
        fake.tree.create('root', `${phase}-${name}.txt`, 'file', { data: Buffer.from('remote') });
        fakes[`${phase}-${name}`] = fake;
        const addition = aliOptions(fake, fake.issuer.issueRefreshToken(), { request_timeout_ms: 400 });
        storages.push({ mountPath: `/${phase}-${name}`, driver: 'AliyundriveOpen', addition: JSON.stringify(addition), cacheExpiration: 0 } as never);
      }
    }
    for (const name of NAMES) fakes[`s-${name}`]?.faults.set('token', FAULTS[name]);
    server = await startTestServer({ storages, config: { init_timeout_ms: 5_000 } });
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    for (const f of Object.values(fakes)) await f.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('start-up: /ping answers at once and the Local mount serves while token endpoints fail', async () => {
    const t0 = Date.now();
    const ping = await fetch(`${server.url}/ping`);
    expect(await ping.text()).toBe('pong');
    expect(Date.now() - t0).toBeLessThan(1_000);
    await waitFor(async () => (await readyz(server))['/local']?.state === 'ready', 5_000, 'local ready');
    expect((await server.fs.list('/local')).entries.map((e) => e.name)).toEqual(['hello.txt']);
  });

  it('start-up: /readyz shows each failure; a refused token is needs_reauth and is not retried', async () => {
    await waitFor(async () => {
      const m = await readyz(server);
      return TRANSIENT.every((n) => m[`/s-${n}`]?.state === 'error') && m['/s-reject']?.state === 'needs_reauth' && m['/s-rotate']?.state === 'ready';
    }, 15_000, 'start-up states');
    const m = await readyz(server);
    expect(m['/s-hang']?.error).toMatch(/token refresh via oauth: no answer within 400 ms/);
    expect(m['/s-500']?.error).toMatch(/HTTP 500/);
    expect(m['/s-504']?.error).toMatch(/HTTP 504/);
    expect(m['/s-429']?.error).toMatch(/rate limited \(429\)/);
    expect(m['/s-reject']?.error).toMatch(/refresh token was refused via oauth: InvalidParameter.RefreshToken.*set-token/);
    const hits = fakes['s-reject']?.faults.hits.token ?? 0;
    await new Promise((r) => setTimeout(r, 600));
    expect(fakes['s-reject']?.faults.hits.token).toBe(hits);
    // The rotated token was stored and the configured one is kept as it was.
    const rotated = await storedRefreshToken(server, '/s-rotate');
    expect(fakes['s-rotate']?.issuer.accepts(rotated)).toBe(true);
  });

  it('start-up: recovers without a restart once the fault clears; a refused token after set-token', async () => {
    for (const name of NAMES) fakes[`s-${name}`]?.faults.clear();
    await waitFor(async () => {
      const m = await readyz(server);
      return TRANSIENT.every((n) => m[`/s-${n}`]?.state === 'ready');
    }, 15_000, 'transient start-up faults to recover');
    expect((await readyz(server))['/s-reject']?.state).toBe('needs_reauth');
    await setToken(server, '/s-reject', fakes['s-reject']?.issuer.issueRefreshToken() ?? '');
    await waitFor(async () => (await readyz(server))['/s-reject']?.state === 'ready', 10_000, 's-reject after set-token');
    for (const name of NAMES) expect((await server.fs.list(`/s-${name}`)).entries.map((e) => e.name)).toEqual([`s-${name}.txt`]);
  }, 30_000);

  it('serving: a still-valid access token keeps serving through the fault; expiry shows the cause; clearing recovers', async () => {
    await waitFor(async () => {
      const m = await readyz(server);
      return NAMES.every((n) => m[`/v-${n}`]?.state === 'ready');
    }, 10_000, 'serving mounts ready');
    for (const name of NAMES) fakes[`v-${name}`]?.faults.set('token', FAULTS[name]);
    fakes['v-rotate']?.issuer.revokeAccessTokens(); // forces a reactive refresh, which rotates
    const before = await storedRefreshToken(server, '/v-rotate');
    expect(await (await fetch(`${server.url}/ping`)).text()).toBe('pong');
    for (const name of NAMES) {
      if (name === 'reject') continue;
      expect((await server.fs.list(`/v-${name}`)).entries.map((e) => e.name)).toEqual([`v-${name}.txt`]);
    }
    const after = await storedRefreshToken(server, '/v-rotate');
    expect(after).not.toBe(before);
    expect(fakes['v-rotate']?.issuer.accepts(after)).toBe(true);

    // Past the access token's lifetime: listings are served stale (the last good one) and the
    // mount shows the cause: degraded while refreshes fail, needs_reauth once the token is refused.
    await new Promise((r) => setTimeout(r, 2_700));
    for (const name of TRANSIENT) {
      const l = await server.fs.list(`/v-${name}`);
      expect(l.stale, name).toBeInstanceOf(Date);
      expect(l.entries.map((e) => e.name)).toEqual([`v-${name}.txt`]);
      const m = (await readyz(server))[`/v-${name}`];
      expect(m?.state, name).toBe('degraded');
      expect(m?.error, name).toMatch(/token refresh|circuit/);
    }
    // Never listed while serving, so there is no last good listing to fall back on.
    await expect(server.fs.list('/v-reject')).rejects.toMatchObject({ code: 'unauthorized_upstream', message: expect.stringMatching(/refresh token was refused/) });
    const rejected = (await readyz(server))['/v-reject'];
    expect(rejected?.state).toBe('needs_reauth');
    expect(rejected?.error).toMatch(/refresh token was refused/);
    expect((await server.fs.list('/local')).entries.map((e) => e.name)).toEqual(['hello.txt']);

    for (const name of NAMES) fakes[`v-${name}`]?.faults.clear();
    await waitFor(async () => {
      const ok = await Promise.all(TRANSIENT.map((n) => server.fs.list(`/v-${n}`).then((l) => l.stale === undefined, () => false)));
      return ok.every(Boolean);
    }, 20_000, 'serving mounts to recover');
    await setToken(server, '/v-reject', fakes['v-reject']?.issuer.issueRefreshToken() ?? '');
    await waitFor(() => server.fs.list('/v-reject').then((l) => l.stale === undefined, () => false), 10_000, 'v-reject after set-token');
    expect((await readyz(server))['/v-reject']?.state).toBe('ready');
  }, 45_000);

  it('never loses the refresh token: the one in the database is accepted by every fake', async () => {
    for (const key of Object.keys(fakes)) {
      const token = await storedRefreshToken(server, `/${key}`);
      expect(fakes[key]?.issuer.accepts(token), key).toBe(true);
    }
  });
});
