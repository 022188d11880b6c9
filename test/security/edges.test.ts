import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Perm } from '../../src/auth/permissions.js';
import { sendEnvelope } from '../../src/server/api/context.js';
import { toEnvelope } from '../../src/server/api/errors.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { basicAuth, raw } from './http.js';

const ADMIN = basicAuth('admin', 'admin-test-pass');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Exchange {
  /** Everything the server sent before it closed the socket. */
  response: string;
  /** Whether the server closed the socket before `waitMs` ran out. */
  closed: boolean;
  /** Body bytes written before the socket closed. */
  sent: number;
}

/**
 * Writes a request head by hand, then the body parts `gapMs` apart, and collects the answer until
 * the server closes the socket (the head asks for Connection: close) or `waitMs` runs out.
 */
function slowRequest(base: string, head: string, parts: Buffer[], gapMs: number, waitMs = 20_000): Promise<Exchange> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const sock = connect(Number(u.port), u.hostname);
    let response = '';
    let sent = 0;
    let closed = false;
    const done = () => {
      clearTimeout(cap);
      resolve({ response, closed, sent });
    };
    const cap = setTimeout(() => {
      sock.destroy();
      done();
    }, waitMs);
    sock.on('data', (d: Buffer) => (response += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      closed = true;
      done();
    });
    sock.once('connect', async () => {
      sock.write(head);
      for (const part of parts) {
        if (closed || sock.destroyed) return;
        sock.write(part);
        sent += part.length;
        await sleep(gapMs);
      }
    });
  });
}

function head(method: string, path: string, headers: Record<string, string>): string {
  const lines = Object.entries({ host: 'localhost', connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function pieces(total: number, size: number, fill = 0x61): Buffer[] {
  return Array.from({ length: Math.ceil(total / size) }, (_, i) => Buffer.alloc(Math.min(size, total - i * size), fill + (i % 26)));
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

describe('slow and stalled request bodies', () => {
  const REQUEST_MS = 2_000;
  const IDLE_MS = 1_000;
  let server: TestServer;
  let work: string;
  let root: string;
  let token = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-edges-'));
    root = join(work, 'root');
    mkdirSync(root);
    server = await startTestServer({
      storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }],
      config: { http_request_timeout_ms: REQUEST_MS, http_body_idle_timeout_ms: IDLE_MS, init_timeout_ms: 3_000 },
    });
    token = server.settings.get('token');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers 408 and closes the socket when a JSON or XML body stops arriving', async () => {
    const json = await slowRequest(
      server.url,
      head('POST', '/api/fs/list', { authorization: token, 'content-type': 'application/json', 'content-length': '100' }),
      [Buffer.from('{"path":')],
      10,
    );
    expect(json.closed).toBe(true);
    expect(statusOf(json.response)).toBe(408);
    for (const method of ['PROPFIND', 'PROPPATCH', 'LOCK']) {
      const xml = await slowRequest(
        server.url,
        head(method, '/dav/', { authorization: ADMIN, depth: '0', 'content-type': 'application/xml', 'content-length': '500' }),
        [Buffer.from('<?xml version="1.0"?><D:propfind xmlns:D="DAV:">')],
        10,
      );
      expect([method, xml.closed, statusOf(xml.response)]).toEqual([method, true, 408]);
    }
  });

  it('cuts a JSON body trickled too slowly to finish (never idle) at the request deadline', async () => {
    const total = 4_000;
    // One byte every 100 ms: never idle for 1 s, but 400 s to finish.
    const r = await slowRequest(
      server.url,
      head('POST', '/api/fs/list', { authorization: token, 'content-type': 'application/json', 'content-length': String(total) }),
      pieces(total, 1),
      100,
    );
    expect(r.closed).toBe(true);
    expect(r.sent).toBeLessThan(total);
    // The server may reset the socket while bytes are in flight; if an answer arrived, it is a 408.
    expect([0, 408]).toContain(statusOf(r.response));
  });

  it('stores slow but steady uploads that take longer than the request deadline, at every streaming door', async () => {
    const total = 30 * 1024;
    const body = Buffer.concat(pieces(total, 1024));
    const boundary = 'edge-boundary-7f3a';
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="form.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const uploads = [
      { name: 'dav.bin', head: head('PUT', '/dav/dav.bin', { authorization: ADMIN, 'content-length': String(total) }), body, ok: (r: string) => statusOf(r) === 201 },
      {
        name: 'put.bin',
        head: head('PUT', '/api/fs/put', { authorization: token, 'file-path': encodeURIComponent('/put.bin'), 'content-length': String(total) }),
        body,
        ok: (r: string) => statusOf(r) === 200 && r.includes('"code":200'),
      },
      {
        name: 'form.bin',
        head: head('PUT', '/api/fs/form', {
          authorization: token,
          'file-path': encodeURIComponent('/form.bin'),
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(multipart.length),
        }),
        body: multipart,
        ok: (r: string) => statusOf(r) === 200 && r.includes('"code":200'),
      },
    ];
    await Promise.all(
      uploads.map(async (u) => {
        const started = Date.now();
        // 30 or more parts 100 ms apart: about 3 s, past the 2 s request deadline, never idle.
        const parts = Array.from({ length: Math.ceil(u.body.length / 1024) }, (_, i) => u.body.subarray(i * 1024, (i + 1) * 1024));
        const r = await slowRequest(server.url, u.head, parts, 100);
        expect(Date.now() - started).toBeGreaterThan(REQUEST_MS);
        expect([u.name, u.ok(r.response)], r.response.slice(0, 300)).toEqual([u.name, true]);
        expect(readFileSync(join(root, u.name)).equals(body)).toBe(true);
      }),
    );
  });

  it('closes a stalled upload after the idle deadline and leaves no file behind', async () => {
    for (const [name, h] of [
      ['stall-dav.bin', head('PUT', '/dav/stall-dav.bin', { authorization: ADMIN, 'content-length': '100000' })],
      ['stall-put.bin', head('PUT', '/api/fs/put', { authorization: token, 'file-path': encodeURIComponent('/stall-put.bin'), 'content-length': '100000' })],
    ] as const) {
      const r = await slowRequest(server.url, h, [Buffer.alloc(1000, 0x62)], 10);
      expect([name, r.closed, statusOf(r.response)]).toEqual([name, true, 408]);
      await waitFor(() => !existsSync(join(root, name)), 5_000, `${name} not to appear`);
    }
  });

  it('does not count handler time: a request whose body arrived is answered however long the work takes', async () => {
    const started = Date.now();
    // The handler waits for the storage's start (init_timeout_ms 3 s), past the 2 s request deadline.
    const r = await raw(server.url, 'POST', '/api/admin/storage/create', { authorization: token, 'content-type': 'application/json' }, JSON.stringify({ mount_path: '/slow', driver: 'TestHang', addition: '{}' }));
    expect(Date.now() - started).toBeGreaterThan(REQUEST_MS);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ message: expect.stringMatching(/failed init storage/) });
  });
});

describe('the connection cap', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ config: { http_max_connections: 3 } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A keep-alive socket that got one answer to GET /ping (so the server counts it), or undefined. */
  function held(): Promise<{ close(): void; answer: string }> {
    const u = new URL(server.url);
    return new Promise((resolve) => {
      const sock = connect(Number(u.port), u.hostname, () => sock.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n'));
      let answer = '';
      const finish = () => resolve({ close: () => sock.destroy(), answer });
      sock.on('data', (d: Buffer) => {
        answer += d.toString('latin1');
        if (answer.endsWith('pong')) finish();
      });
      sock.on('error', () => undefined);
      sock.on('close', finish);
    });
  }

  it('closes connections past http_max_connections at once, and takes new ones when one ends', async () => {
    const first = await Promise.all([held(), held(), held()]);
    for (const s of first) expect(s.answer).toMatch(/^HTTP\/1\.1 200[\s\S]*pong$/);
    const refused = await held();
    expect(refused.answer).toBe('');
    first[0]?.close();
    let later = '';
    await waitFor(async () => {
      const s = await held();
      later = s.answer;
      s.close();
      return later.endsWith('pong');
    }, 10_000, 'a free connection slot');
    for (const s of first) s.close();
  });
});

describe('XML request bodies nested too deep', () => {
  let server: TestServer;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-edges-xml-'));
    writeFileSync(join(work, 'f.txt'), 'x');
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) }] });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers 400 to PROPFIND, PROPPATCH and LOCK bodies nested past 64 levels, never 500', async () => {
    const nest = (n: number, inner = '') => '<x:n xmlns:x="urn:x">'.repeat(n) + inner + '</x:n>'.repeat(n);
    const bodies = {
      PROPFIND: (n: number) => `<D:propfind xmlns:D="DAV:"><D:prop>${nest(n)}</D:prop></D:propfind>`,
      PROPPATCH: (n: number) => `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>${nest(n, 'v')}</D:prop></D:set></D:propertyupdate>`,
      LOCK: (n: number) => `<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>${nest(n)}</D:owner></D:lockinfo>`,
    };
    for (const [method, body] of Object.entries(bodies)) {
      for (const depth of [120, 5_000]) {
        const r = await raw(server.url, method, '/dav/f.txt', { authorization: ADMIN, depth: '0', 'content-type': 'application/xml' }, body(depth));
        expect([method, depth, r.status]).toEqual([method, depth, 400]);
        expect(r.body).toMatch(/nested deeper than 64/);
      }
    }
    // A dead property of some depth (55 levels in all) is still stored and read back.
    const set = await raw(server.url, 'PROPPATCH', '/dav/f.txt', { authorization: ADMIN, 'content-type': 'application/xml' }, bodies.PROPPATCH(50));
    expect(set.status).toBe(207);
    expect(set.body).toMatch(/200 OK/);
  });
});

describe('database constraint errors in the API', () => {
  let server: TestServer;
  let admin: ApiClient;

  beforeAll(async () => {
    server = await startTestServer();
    admin = ApiClient.for(server, server.settings.get('token'));
    for (const username of ['taken', 'renamer']) {
      expect((await admin.post('/api/admin/user/create', { username, password: `${username}-pass`, base_path: '/' })).code).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a taken user name or mount path is a 400 in the envelope, never an internal error (renaming yourself too)', async () => {
    const me = new ApiClient(server.url);
    await me.login('renamer', 'renamer-pass');
    const r = await me.post('/api/me/update', { username: 'taken', current_password: 'renamer-pass' });
    expect(r).toEqual({ code: 400, message: expect.stringMatching(/already exists/), data: null });
    expect((await server.repos.users.getByUsername('renamer'))?.username).toBe('renamer');
    // The admin API's own messages for taken user names and mount paths stay as they are.
    const list = await admin.get<{ content: { id: number; username: string }[] }>('/api/admin/user/list');
    const renamer = list.data.content.find((u) => u.username === 'renamer');
    const rename = await admin.post('/api/admin/user/update', { ...renamer, username: 'taken', password: '' });
    expect(rename).toMatchObject({ code: 400, data: null });
    const storage = { mount_path: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: server.dataDir }) };
    expect(await admin.post('/api/admin/storage/create', storage)).toMatchObject({ code: 400, message: expect.stringMatching(/already used/), data: null });
  });

  it('maps any unique, foreign key, NOT NULL or CHECK violation (SQLite and PostgreSQL) to code 400 in one place', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE t (name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0), p INTEGER REFERENCES parent(id))');
    db.pragma('foreign_keys = ON');
    db.exec("INSERT INTO t (name, n) VALUES ('a', 1)");
    const pg = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR', table: 'users' });
    const failures: Record<string, () => unknown> = {
      'sqlite unique': () => db.exec("INSERT INTO t (name, n) VALUES ('a', 1)"),
      'sqlite not null': () => db.exec('INSERT INTO t (name, n) VALUES (NULL, 1)'),
      'sqlite check': () => db.exec("INSERT INTO t (name, n) VALUES ('b', 0)"),
      'sqlite foreign key': () => db.exec("INSERT INTO t (name, n, p) VALUES ('c', 1, 42)"),
      'pg unique': () => { throw pg('23505', 'duplicate key value violates unique constraint "users_username_key"'); },
      'pg not null': () => { throw pg('23502', 'null value in column "username" of relation "users" violates not-null constraint'); },
      'pg check (wrapped)': () => { throw new Error('write failed', { cause: pg('23514', 'new row for relation "users" violates check constraint') }); },
    };
    const app = Fastify();
    app.setErrorHandler((err, _req, reply) => sendEnvelope(reply, toEnvelope(err, reply)));
    app.get('/:name', async (req) => failures[(req.params as { name: string }).name]?.());
    for (const name of Object.keys(failures)) {
      const r = await app.inject({ method: 'GET', url: `/${encodeURIComponent(name)}` });
      const body = JSON.parse(r.body) as { code: number; message: string; data: unknown };
      expect([name, body.code, body.data]).toEqual([name, 400, null]);
      expect(body.message).not.toMatch(/users|username|constraint|SQLITE/);
    }
    await app.close();
    db.close();
  });
});

describe('WebDAV COPY and MOVE with a hostile Destination', () => {
  let server: TestServer;
  let work: string;
  let root: string;
  let host = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-edges-dav-'));
    root = join(work, 'root');
    for (const d of ['alice', 'victim']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'alice', 'a.txt'), 'alice');
    writeFileSync(join(root, 'victim', 'keep.txt'), 'victim');
    writeFileSync(join(work, 'outside.txt'), 'outside');
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
    const admin = ApiClient.for(server, server.settings.get('token'));
    const permission = Perm.Write | Perm.Rename | Perm.Move | Perm.Copy | Perm.Remove | Perm.WebdavRead | Perm.WebdavManage;
    expect((await admin.post('/api/admin/user/create', { username: 'alice', password: 'alice-pass', base_path: '/alice', permission })).code).toBe(200);
    host = new URL(server.url).host;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("refuses dot segments (plain and encoded), other hosts and paths outside the prefix with 400 or 403, never 5xx; keeps the rest inside the user's base path", async () => {
    const destinations = [
      '/dav/../victim/x.txt',
      '/dav/%2e%2e/victim/x.txt',
      '/dav/%2E%2E/%2e%2e/outside2.txt',
      '/dav/sub/.%2e/.%2e/x.txt',
      '/dav/./x.txt',
      `http://${host}/dav/../victim/x.txt`,
      `http://${host}/dav/%2e%2e/victim/x.txt`,
      'http://evil.example/dav/x.txt',
      `http://${host}.evil.example/dav/x.txt`,
      `http://${host}/elsewhere/x.txt`,
      '/elsewhere/x.txt',
      '/dav%2f..%2fvictim/x.txt',
      'http://[::1',
      '/dav/%zz/x.txt',
      '/dav/x\u0000.txt',
      'relative/x.txt',
    ];
    const auth = { alice: basicAuth('alice', 'alice-pass'), admin: ADMIN };
    for (const [who, authorization] of Object.entries(auth)) {
      const src = who === 'alice' ? '/dav/a.txt' : '/dav/alice/a.txt';
      for (const destination of destinations) {
        for (const method of ['COPY', 'MOVE']) {
          const r = await raw(server.url, method, src, { authorization, destination: encodeURI(destination).replace(/%25/g, '%') });
          expect([who, method, destination, [400, 403].includes(r.status)], r.body).toEqual([who, method, destination, true]);
        }
      }
    }
    expect(readFileSync(join(root, 'alice', 'a.txt'), 'utf8')).toBe('alice');
    expect(existsSync(join(root, 'victim', 'x.txt'))).toBe(false);
    expect(existsSync(join(work, 'outside2.txt'))).toBe(false);
    // A Destination on this server is taken inside the user's base path.
    const r = await raw(server.url, 'COPY', '/dav/a.txt', { authorization: basicAuth('alice', 'alice-pass'), destination: `http://${host}/dav/victim/copied.txt` });
    // /victim under alice's base path /alice does not exist: 409, and nothing reaches /victim.
    expect(r.status).toBe(409);
    expect(existsSync(join(root, 'victim', 'copied.txt'))).toBe(false);
    const ok = await raw(server.url, 'COPY', '/dav/a.txt', { authorization: basicAuth('alice', 'alice-pass'), destination: `http://${host}/dav/b.txt` });
    expect(ok.status).toBe(201);
    expect(readFileSync(join(root, 'alice', 'b.txt'), 'utf8')).toBe('alice');
  });
});

describe('trust_proxy', () => {
  const FORWARDED = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'files.example.com' };
  const servers: Record<'off' | 'on', TestServer | undefined> = { off: undefined, on: undefined };
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-edges-proxy-'));
    writeFileSync(join(work, 'f.txt'), 'f');
    const storages = [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) }];
    servers.off = await startTestServer({ storages });
    servers.on = await startTestServer({ storages, config: { trust_proxy: '127.0.0.1, ::1' } });
    for (const s of Object.values(servers)) {
      const admin = ApiClient.for(s as TestServer, (s as TestServer).settings.get('token'));
      expect((await admin.post('/api/admin/user/create', { username: 'locky', password: 'locky-pass', base_path: '/' })).code).toBe(200);
    }
  });
  afterAll(async () => {
    for (const s of Object.values(servers)) await s?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const server = (which: 'off' | 'on') => servers[which] as TestServer;
  const call = (which: 'off' | 'on', path: string, body: unknown, headers: Record<string, string>) =>
    raw(server(which).url, 'POST', path, { 'content-type': 'application/json', ...headers }, JSON.stringify(body)).then((r) => JSON.parse(r.body) as { code: number; data: any });

  async function lastLoginIp(which: 'off' | 'on'): Promise<string> {
    const audit = await ApiClient.for(server(which), server(which).settings.get('token')).get<{ content: { action: string; ip: string }[] }>('/api/admin/audit?page=1&per_page=50');
    return audit.data.content.find((e) => e.action === 'login')?.ip ?? '';
  }

  it('off (the default): X-Forwarded-* are ignored for the client address and for links', async () => {
    expect((await call('off', '/api/auth/login', { username: 'admin', password: 'admin-test-pass' }, FORWARDED)).code).toBe(200);
    expect(await lastLoginIp('off')).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    const got = await call('off', '/api/fs/get', { path: '/f.txt' }, { authorization: server('off').settings.get('token'), ...FORWARDED });
    expect(got.code).toBe(200);
    expect(got.data.raw_url).toMatch(new RegExp(`^${server('off').url}/p/f\\.txt`));
  });

  it('on: the client address comes from X-Forwarded-For and links from X-Forwarded-Proto/-Host', async () => {
    expect((await call('on', '/api/auth/login', { username: 'admin', password: 'admin-test-pass' }, FORWARDED)).code).toBe(200);
    expect(await lastLoginIp('on')).toBe('203.0.113.9');
    const got = await call('on', '/api/fs/get', { path: '/f.txt' }, { authorization: server('on').settings.get('token'), ...FORWARDED });
    expect(got.data.raw_url).toMatch(/^https:\/\/files\.example\.com\/p\/f\.txt/);
    // A Destination on the public host the proxy names is this server.
    const copy = await raw(server('on').url, 'COPY', '/dav/f.txt', { authorization: ADMIN, ...FORWARDED, destination: 'https://files.example.com/dav/g.txt' });
    expect(copy.status).toBe(201);
    const off = await raw(server('off').url, 'COPY', '/dav/f.txt', { authorization: ADMIN, ...FORWARDED, destination: 'https://files.example.com/dav/h.txt' });
    expect(off.status).toBe(403);
  });

  it('lockouts key on the socket address when off and on the forwarded address when on', async () => {
    for (const which of ['off', 'on'] as const) {
      for (let i = 0; i < 5; i++) {
        const r = await call(which, '/api/auth/login', { username: 'locky', password: 'wrong' }, { 'x-forwarded-for': '198.51.100.1' });
        expect(r.code).not.toBe(200);
      }
      const other = await call(which, '/api/auth/login', { username: 'locky', password: 'locky-pass' }, { 'x-forwarded-for': '198.51.100.2' });
      expect([which, other.code]).toEqual([which, which === 'on' ? 200 : 429]);
    }
  });
});

describe('/readyz and /metrics', () => {
  const METRICS_TOKEN = 'edges-metrics-token-5d1c9a';
  let server: TestServer;
  let work: string;
  let userToken = '';
  let adminJwt = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-edges-health-'));
    mkdirSync(join(work, 'vault'));
    server = await startTestServer({
      storages: [
        { mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) },
        { mountPath: '/hidden-vault-7c2e', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'vault') }) },
        { mountPath: '/broken-9f1d', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'does-not-exist') }) },
      ],
      config: { metrics_token: METRICS_TOKEN },
    });
    const admin = ApiClient.for(server, server.settings.get('token'));
    expect((await admin.post('/api/admin/user/create', { username: 'someone', password: 'someone-pass', base_path: '/' })).code).toBe(200);
    userToken = await new ApiClient(server.url).login('someone', 'someone-pass');
    adminJwt = await new ApiClient(server.url).login();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const get = (path: string, authorization?: string) => raw(server.url, 'GET', path, authorization ? { authorization } : {});

  it('answers /ping and a bare /readyz status to anyone, without mount paths or errors', async () => {
    expect((await get('/ping')).body).toBe('pong');
    for (const authorization of [undefined, userToken, 'Bearer wrong-token-wrong-token', `Bearer ${METRICS_TOKEN}x`, 'garbage']) {
      const r = await get('/readyz', authorization);
      expect(r.status).toBe(200);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['status']);
      expect(['ok', 'degraded']).toContain(body.status);
      expect(r.body).not.toMatch(/hidden-vault|broken-9f1d|does-not-exist/);
    }
  });

  it('refuses /metrics without an administrator credential or the metrics token', async () => {
    for (const authorization of [undefined, userToken, `Bearer ${METRICS_TOKEN}x`, 'garbage']) {
      const r = await get('/metrics', authorization);
      expect(r.status).toBe(401);
      expect(r.body).not.toMatch(/hidden-vault|filebridge_mount/);
    }
  });

  it('shows details to an administrator (login, admin token) and to the metrics token', async () => {
    for (const authorization of [adminJwt, server.settings.get('token'), `Bearer ${METRICS_TOKEN}`, METRICS_TOKEN]) {
      const ready = await get('/readyz', authorization);
      const body = JSON.parse(ready.body) as { status: string; mounts: { mount_path: string; state: string; error: string | null }[] };
      expect(body.mounts.map((m) => m.mount_path).sort()).toEqual(['/', '/broken-9f1d', '/hidden-vault-7c2e']);
      const metrics = await get('/metrics', authorization);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/filebridge_mount_state\{mount="\/hidden-vault-7c2e"/);
    }
  });
});
