import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServer } from '../helpers/cli.js';
import { waitFor } from '../helpers/server.js';

const PASSWORD = 'admin-test-pass';
const BASIC = 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64');
const LOCK_BODY =
  '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';

interface Reply {
  status: number;
  worker: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { code: number; message: string; data: any };
}

/** One keep-alive connection: in node:cluster a connection stays with the worker that accepted it. */
class Connection {
  constructor(
    readonly client: Client,
    readonly worker: string,
  ) {}

  static open(url: string): Client {
    return new Client(url, { pipelining: 1, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
  }

  async send(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    const reply = await send(this.client, method, path, options);
    // Every answer must come from the pinned worker, or the test would prove nothing.
    if (reply.worker !== this.worker) throw new Error(`connection to worker ${this.worker} was answered by worker ${reply.worker}`);
    return reply;
  }

  api(path: string, token: string, body: unknown = {}): Promise<Reply['json']> {
    return this.send('POST', path, { token, body }).then((r) => r.json);
  }
}

interface SendOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

async function send(client: Client, method: string, path: string, options: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = options.token;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const timeouts = options.timeoutMs ? { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs } : {};
  const res = await client.request({ method, path, headers, body, ...timeouts });
  const text = await res.body.text();
  let json: Reply['json'] = { code: 0, message: '', data: null };
  try {
    json = JSON.parse(text) as Reply['json'];
  } catch {
    // Not JSON (WebDAV, /ping).
  }
  return { status: res.statusCode, worker: String(res.headers['x-filebridge-worker'] ?? ''), headers: res.headers, text, json };
}

interface LogLine {
  msg?: string;
  worker?: number;
  pid?: number;
}

function logLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** Whether `pid` names a process at all, a zombie not yet reaped included. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` still runs (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * `filebridge server` with workers=2 on SQLite, as a real process tree: a primary and two
 * workers on one port and one database file. Two keep-alive connections pinned to different
 * workers (told apart by the X-Filebridge-Worker header) check that what one worker (or the CLI)
 * changes, the other applies on its very next request. The storage poll is off.
 */
describe('workers: several server processes on one port and one SQLite database', () => {
  const state: { child?: ChildProcess; url: string; output: () => string; dir: string; a?: Connection; b?: Connection; token: string } = {
    url: '',
    output: () => '',
    dir: '',
    token: '',
  };
  const a = () => state.a as Connection;
  const b = () => state.b as Connection;
  const started = () => logLines(state.output()).filter((l) => l.msg === 'worker started');
  const pidOf = (worker: string) => started().find((l) => String(l.worker) === worker)?.pid ?? 0;

  beforeAll(async () => {
    state.dir = mkdtempSync(join(tmpdir(), 'filebridge-workers-'));
    mkdirSync(join(state.dir, 'extra'));
    writeFileSync(join(state.dir, 'extra', 'inside.txt'), 'in the extra storage');
    const server = await spawnServer(['--data', join(state.dir, 'data')], {
      FILEBRIDGE_WORKERS: '2',
      FILEBRIDGE_ADMIN_PASSWORD: PASSWORD,
      FILEBRIDGE_STORAGE_POLL_MS: '0',
    });
    Object.assign(state, { child: server.child, url: server.url, output: server.output });
    await waitFor(() => logLines(state.output()).filter((l) => l.msg === 'worker listening').length >= 2, 90_000, 'both workers to listen');
    // Round-robin hands each new connection to the next worker: open some until two workers answered.
    const byWorker = new Map<string, Connection>();
    for (let i = 0; i < 40 && byWorker.size < 2; i++) {
      const client = Connection.open(state.url);
      const { worker } = await send(client, 'GET', '/ping');
      if (worker && !byWorker.has(worker)) byWorker.set(worker, new Connection(client, worker));
      else await client.close();
    }
    [state.a, state.b] = [...byWorker.values()];
    expect(byWorker.size, 'connections to two distinct workers').toBe(2);
    const login = await a().api('/api/auth/login', '', { username: 'admin', password: PASSWORD });
    expect(login.code, login.message).toBe(200);
    state.token = login.data.token as string;
  }, 150_000);

  afterAll(async () => {
    await state.a?.client.destroy();
    await state.b?.client.destroy();
    if (state.child?.pid && alive(state.child.pid)) state.child.kill('SIGKILL');
    for (const l of started()) if (l.pid && alive(l.pid)) process.kill(l.pid, 'SIGKILL');
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });

  async function names(c: Connection, path: string, token = state.token, password = ''): Promise<string[] | string> {
    const r = await c.api('/api/fs/list', token, { path, password });
    if (r.code !== 200) return `${r.code}: ${r.message}`;
    return ((r.data.content ?? []) as { name: string }[]).map((e) => e.name).sort();
  }

  it('answers from two distinct worker processes on one port', () => {
    expect(a().worker).not.toBe(b().worker);
    expect(pidOf(a().worker)).toBeGreaterThan(0);
    expect(pidOf(b().worker)).not.toBe(pidOf(a().worker));
  });

  it('serves on B, on its next request, a setting saved through A', async () => {
    const title = async (c: Connection) => (await c.send('GET', '/api/public/settings')).json.data.site_title as string;
    expect(await title(b())).not.toBe('Saved on A');
    expect((await a().api('/api/admin/setting/save', state.token, [{ key: 'site_title', value: 'Saved on A' }])).code).toBe(200);
    expect(await title(b())).toBe('Saved on A');
    expect((await b().api('/api/admin/setting/save', state.token, [{ key: 'site_title', value: 'Saved on B' }])).code).toBe(200);
    expect(await title(a())).toBe('Saved on B');
  });

  it('mounts on B a storage added through A, and drops it when A disables it, each on the next request', async () => {
    expect(await names(b(), '/')).not.toContain('extra');
    const created = await a().api('/api/admin/storage/create', state.token, {
      mount_path: '/extra',
      driver: 'Local',
      addition: JSON.stringify({ root_folder_path: join(state.dir, 'extra') }),
    });
    expect(created.code, created.message).toBe(200);
    expect(await names(b(), '/')).toContain('extra');
    // Its first init runs on B in the background, as at start.
    await waitFor(async () => JSON.stringify(await names(b(), '/extra')) === '["inside.txt"]', 30_000, 'B to serve the new storage');
    expect((await a().api(`/api/admin/storage/disable?id=${created.data.id}`, state.token)).code).toBe(200);
    expect(await names(b(), '/')).not.toContain('extra');
    expect((await a().api(`/api/admin/storage/enable?id=${created.data.id}`, state.token)).code).toBe(200);
    expect(await names(b(), '/')).toContain('extra');
    await waitFor(async () => Array.isArray(await names(b(), '/extra')), 30_000, 'B to serve the storage again');
  });

  it('lists on B, on its next request, what A wrote into a folder B has cached', async () => {
    expect(await names(b(), '/extra')).toEqual(['inside.txt']);
    const put = await a().send('PUT', '/api/fs/put', { token: state.token, body: 'new', headers: { 'file-path': encodeURIComponent('/extra/from-a.txt'), 'content-type': 'application/octet-stream' } });
    expect(put.json.code, put.text).toBe(200);
    expect(await names(b(), '/extra')).toEqual(['from-a.txt', 'inside.txt']);
    expect((await a().api('/api/fs/remove', state.token, { dir: '/extra', names: ['from-a.txt'] })).code).toBe(200);
    expect(await names(b(), '/extra')).toEqual(['inside.txt']);
  });

  it("guards on B a folder password added through A, and lets the user past it once A gives the permission, each on B's next request", async () => {
    const created = await a().api('/api/admin/user/create', state.token, { username: 'bob', password: 'bob-pass', permission: 0, base_path: '/' });
    expect(created.code, created.message).toBe(200);
    const bob = (await b().api('/api/auth/login', '', { username: 'bob', password: 'bob-pass' })).data.token as string;
    expect(await names(b(), '/extra', bob)).toEqual(['inside.txt']);
    const meta = await a().api('/api/admin/meta/create', state.token, { path: '/extra', password: 'folder-secret', p_sub: true });
    expect(meta.code, meta.message).toBe(200);
    expect(await names(b(), '/extra', bob)).toMatch(/^403/);
    expect(await names(b(), '/extra', bob, 'folder-secret')).toEqual(['inside.txt']);
    // Users are read from the database on every request: a permission given on A holds on B at once.
    const user = (await a().send('GET', `/api/admin/user/get?id=${created.data.id}`, { token: state.token })).json.data;
    expect((await a().api('/api/admin/user/update', state.token, { ...user, permission: 2 })).code).toBe(200);
    expect(await names(b(), '/extra', bob)).toEqual(['inside.txt']);
    expect((await a().api('/api/admin/user/update', state.token, { ...user, permission: 2, disabled: true })).code).toBe(200);
    expect((await b().send('GET', '/api/me', { token: bob })).json.code).toBe(401);
    expect((await a().api('/api/admin/meta/delete?id=' + meta.data.id, state.token)).code).toBe(200);
  });

  it('refuses on B, on its next request, an API token revoked through A', async () => {
    const created = await a().api('/api/me/tokens/create', state.token, { name: 'workers', scope: 'read' });
    expect(created.code, created.message).toBe(200);
    const token = created.data.token as string;
    expect((await b().send('GET', '/api/me', { token })).json.data.username).toBe('admin');
    expect((await a().api('/api/me/tokens/revoke', state.token, { id: created.data.id })).code).toBe(200);
    expect((await b().send('GET', '/api/me', { token })).json.code).toBe(401);
  });

  it('refuses on B, on its next request, a WebDAV write into a resource locked through A, and allows it once A unlocked', async () => {
    const dav = (c: Connection, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      c.send(method, `/dav${path}`, { headers: { authorization: BASIC, ...headers }, ...(body !== undefined ? { body } : {}) });
    // B reads the (empty) set of locks first, so it holds a copy that A's LOCK must replace.
    expect((await dav(b(), 'PUT', '/extra/free.txt', { 'content-type': 'text/plain' }, 'free')).status).toBe(201);
    const locked = await dav(a(), 'LOCK', '/extra/locked.txt', { timeout: 'Second-600', 'content-type': 'application/xml' }, LOCK_BODY);
    expect(locked.status).toBe(201);
    const token = String(locked.headers['lock-token'] ?? '').replace(/[<>]/g, '');
    expect(token).toMatch(/^opaquelocktoken:/);
    expect((await dav(b(), 'PUT', '/extra/locked.txt', { 'content-type': 'text/plain' }, 'from B')).status).toBe(423);
    expect([201, 204]).toContain((await dav(b(), 'PUT', '/extra/locked.txt', { 'content-type': 'text/plain', if: `(<${token}>)` }, 'with the token')).status);
    expect((await dav(a(), 'UNLOCK', '/extra/locked.txt', { 'lock-token': `<${token}>` })).status).toBe(204);
    expect((await dav(b(), 'PUT', '/extra/locked.txt', { 'content-type': 'text/plain' }, 'unlocked')).status).toBe(204);
  });

  it('applies on both workers, on their next request, a storage the CLI disabled in the same data folder', async () => {
    expect(await names(a(), '/')).toContain('extra');
    expect(await names(b(), '/')).toContain('extra');
    const cli = await runCli(['storage', 'disable', '/extra', '--data', join(state.dir, 'data')]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(await names(a(), '/')).not.toContain('extra');
    expect(await names(b(), '/')).not.toContain('extra');
    expect((await runCli(['storage', 'enable', '/extra', '--data', join(state.dir, 'data')])).code).toBe(0);
    expect(await names(b(), '/')).toContain('extra');
  });

  it('keeps serving from the other worker when one is killed (kill -9), and the primary forks a replacement', async () => {
    const victim = pidOf(b().worker);
    const before = new Set(started().map((l) => String(l.worker)));
    process.kill(victim, 'SIGKILL');
    // Reaped by the primary: it knows the worker is gone.
    await waitFor(() => !exists(victim), 30_000, 'the primary to reap the killed worker');
    let replacement: Connection | undefined;
    await waitFor(
      async () => {
        // A keeps answering on its connection, throughout.
        expect((await a().send('GET', '/api/public/settings')).status).toBe(200);
        const probe = Connection.open(state.url);
        // node:cluster may have handed a new connection to the killed worker just before it learnt
        // of its death: such a connection is lost, so a probe gives up and tries again.
        const reply = await send(probe, 'GET', '/ping', { timeoutMs: 5000 }).catch(() => undefined);
        if (reply && !before.has(reply.worker)) {
          replacement = new Connection(probe, reply.worker);
          return true;
        }
        await probe.destroy();
        return false;
      },
      120_000,
      'a replacement worker to answer',
    );
    expect(logLines(state.output()).some((l) => l.msg === 'worker exited: replacing it' && l.pid === victim)).toBe(true);
    // The replacement follows changes like the others.
    const c = replacement as Connection;
    expect((await a().api('/api/admin/setting/save', state.token, [{ key: 'site_title', value: 'After the kill' }])).code).toBe(200);
    expect((await c.send('GET', '/api/public/settings')).json.data.site_title).toBe('After the kill');
    await c.client.destroy();
    await state.b?.client.destroy();
    state.b = undefined;
  }, 180_000);

  it('ends every worker, and frees the port, when the primary is killed (kill -9)', async () => {
    const exited = new Set(logLines(state.output()).filter((l) => l.msg?.startsWith('worker exited')).map((l) => l.pid));
    const workers = started().flatMap((l) => (l.pid && !exited.has(l.pid) ? [l.pid] : []));
    expect(workers.length).toBe(2);
    expect(workers.every(alive)).toBe(true);
    const primary = state.child?.pid ?? 0;
    process.kill(primary, 'SIGKILL');
    await waitFor(() => workers.every((pid) => !alive(pid)), 60_000, 'the workers to exit');
    const port = Number(new URL(state.url).port);
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
    await state.a?.client.destroy();
    state.a = undefined;
  }, 90_000);
});
