import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/passwords.js';
import { runCli, spawnServer } from '../helpers/cli.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

describe('filebridge CLI against a running server', () => {
  let server: TestServer;
  let files: string;

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'filebridge-cli-files-'));
    writeFileSync(join(files, 'a.txt'), 'a');
    server = await startTestServer({
      storages: [{ mountPath: '/media', driver: 'Local', addition: JSON.stringify({ root_folder_path: files }) }],
    });
    await waitFor(() => server.mounts.list()[0]?.status.state === 'ready', 10_000, 'mount ready');
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('lists storages from the database, with live states when the server answers', async () => {
    const r = await runCli(['storage', 'list', '--data', server.dataDir], { FILEBRIDGE_PORT: '1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+MOUNT\s+DRIVER\s+STATE/m);
    expect(r.stdout).toMatch(/\/media\s+Local\s+enabled \(server not reachable\)/);
    const live = await runCli(['storage', 'list', '--data', server.dataDir], { FILEBRIDGE_PORT: new URL(server.url).port });
    expect(live.stdout).toMatch(/\/media\s+Local\s+ready/);
  });

  it('disables a storage while the server runs; the server closes it within seconds', async () => {
    const r = await runCli(['storage', 'disable', '/media', '--data', server.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/disabled/);
    await waitFor(() => server.mounts.list()[0]?.status.state === 'disabled', 10_000, 'server to notice');
    expect((await server.fs.list('/')).entries.map((e) => e.name)).not.toContain('media');
  });

  it('enables it again by id, and it serves again', async () => {
    const id = server.mounts.list()[0]?.spec.id;
    const r = await runCli(['storage', 'enable', String(id), '--data', server.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => server.mounts.list()[0]?.status.state === 'ready', 10_000, 'server to re-enable');
    expect((await server.fs.list('/media')).entries.map((e) => e.name)).toEqual(['a.txt']);
  });

  it('names an unknown storage clearly', async () => {
    const r = await runCli(['storage', 'disable', '/nowhere', '--data', server.dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no storage with id or mount path "\/nowhere"/);
  });

  it('sets the admin password, or makes and prints a random one', async () => {
    const set = await runCli(['admin', 'password', '--set', 'correct horse', '--data', server.dataDir]);
    expect(set.code, set.stderr).toBe(0);
    let admin = await server.repos.users.getByUsername('admin');
    expect(await verifyPassword(admin?.passwordHash ?? '', 'correct horse')).toBe(true);
    const random = await runCli(['admin', 'password', '--data', server.dataDir]);
    const printed = /new password for admin: (\S+)/.exec(random.stdout)?.[1];
    expect(printed).toBeDefined();
    admin = await server.repos.users.getByUsername('admin');
    expect(await verifyPassword(admin?.passwordHash ?? '', printed ?? '')).toBe(true);
    expect(await verifyPassword(admin?.passwordHash ?? '', 'correct horse')).toBe(false);
  });
});

describe('filebridge server on a fresh data folder', () => {
  it('creates the admin with a password shown once, and a Local mount at / over <data>/files', async () => {
    const data = mkdtempSync(join(tmpdir(), 'filebridge-fresh-'));
    const metricsToken = 'cli-test-metrics-token-0123';
    const { child, url, output } = await spawnServer(['--data', data], { FILEBRIDGE_ADMIN_PASSWORD: '', FILEBRIDGE_METRICS_TOKEN: metricsToken });
    try {
      expect(await (await fetch(`${url}/ping`)).text()).toBe('pong');
      expect(output()).toMatch(/initial password: \S+ \(shown once\)/);
      expect(existsSync(join(data, 'files'))).toBe(true);
      expect(existsSync(join(data, 'data.db'))).toBe(true);
      // Mount details are for administrators and the metrics token.
      const ready = (await (await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${metricsToken}` } })).json()) as { mounts: { mount_path: string; driver: string }[] };
      expect(ready.mounts).toEqual([expect.objectContaining({ mount_path: '/', driver: 'Local' })]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('refuses a bad configuration with one readable error', async () => {
    const data = mkdtempSync(join(tmpdir(), 'filebridge-badcfg-'));
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'config.json'), JSON.stringify({ port: 'x', log_level: 'chatty' }));
    const r = await runCli(['server', '--data', data], { FILEBRIDGE_LOG_LEVEL: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid configuration:\n\s+- port: .*\n\s+- log_level: /);
    rmSync(data, { recursive: true, force: true });
  });
});
