import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { hostileCorpus, headerSafe, urlSafe } from './corpus.js';
import { basicAuth, raw } from './http.js';

const MARKER = 'TOP-SECRET-MARKER-9c41';
const ADMIN = basicAuth('admin', 'admin-test-pass');

/** Every file name under `dir` (symlinks not followed), skipping the given folders. */
function walk(dir: string, skip: string[], out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (skip.includes(p)) continue;
    out.push(p);
    if (e.isDirectory()) walk(p, skip, out);
  }
  return out;
}

/**
 * Sends the hostile path corpus (over 400 payloads) to every front door: fs routes, /d, /p,
 * uploads' File-Path, WebDAV request URIs and Destination headers, with symlinks in the root
 * that point outside it. The promise: no byte of an outside file is served, nothing is written
 * outside the roots, and no request is answered with an internal error.
 */
describe('traversal corpus against every front door', () => {
  const corpus = hostileCorpus('SECRET.txt');
  const writes = hostileCorpus('pwned.txt');
  let server: TestServer;
  let api: ApiClient;
  let outer: string;
  let root: string;
  let m2: string;
  const problems: string[] = [];

  function note(door: string, payload: string, status: number, body: string): void {
    if (body.includes(MARKER)) problems.push(`ESCAPE ${door} ${JSON.stringify(payload)}`);
    if (status >= 500) problems.push(`${status} ${door} ${JSON.stringify(payload)}: ${body.slice(0, 200)}`);
    if (body.includes('"internal error"')) problems.push(`internal error ${door} ${JSON.stringify(payload)}`);
  }

  beforeAll(async () => {
    outer = mkdtempSync(join(tmpdir(), 'filebridge-sec-'));
    root = join(outer, 'root');
    m2 = join(outer, 'm2');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(join(outer, 'outside'), { recursive: true });
    mkdirSync(m2);
    writeFileSync(join(outer, 'SECRET.txt'), MARKER);
    writeFileSync(join(outer, 'outside', 'SECRET.txt'), MARKER);
    writeFileSync(join(root, 'sub', 'ok.txt'), 'control');
    symlinkSync(join(outer, 'outside'), join(root, 'link-out'));
    symlinkSync(join(outer, 'SECRET.txt'), join(root, 'link-file'));
    symlinkSync(outer, join(root, 'link-abs'));
    symlinkSync(join(root, 'link-loop'), join(root, 'link-loop'));
    symlinkSync('../outside', join(m2, 'rel-out'));
    server = await startTestServer({
      storages: [
        { mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) },
        { mountPath: '/m2', driver: 'Local', addition: JSON.stringify({ root_folder_path: m2 }) },
      ],
    });
    writeFileSync(join(server.dataDir, 'SECRET.txt'), MARKER);
    api = ApiClient.for(server);
    await api.login();
    await api.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'false' }]);
  });

  afterAll(async () => {
    await server?.stop();
    if (outer) rmSync(outer, { recursive: true, force: true });
  });

  it('has a corpus of at least 200 payloads', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
  });

  it('serves the control file, so the doors are really open', async () => {
    expect((await raw(server.url, 'GET', '/d/sub/ok.txt')).body).toBe('control');
    expect((await raw(server.url, 'GET', '/dav/sub/ok.txt', { authorization: ADMIN })).body).toBe('control');
    expect((await api.post('/api/fs/get', { path: '/sub/ok.txt' })).code).toBe(200);
  });

  it('fs/list, fs/get and fs/dirs: no escape, no internal error', async () => {
    for (const path of corpus) {
      for (const route of ['/api/fs/list', '/api/fs/get', '/api/fs/dirs']) {
        const r = await api.call('POST', route, { path });
        note(route, path, 200, JSON.stringify(r));
      }
    }
    expect(problems).toEqual([]);
  });

  it('fs write routes (mkdir, rename, move, copy, remove): no escape, no internal error', async () => {
    for (const path of writes) {
      const calls: [string, unknown][] = [
        ['/api/fs/mkdir', { path }],
        ['/api/fs/rename', { path: '/sub/missing.txt', name: path }],
        ['/api/fs/move', { src_dir: '/sub', dst_dir: path, names: ['missing.txt'] }],
        ['/api/fs/copy', { src_dir: path, dst_dir: '/sub', names: ['SECRET.txt'] }],
        ['/api/fs/remove', { dir: '/sub', names: [path] }],
      ];
      for (const [route, body] of calls) note(route, path, 200, JSON.stringify(await api.call('POST', route, body)));
    }
    expect(problems).toEqual([]);
  });

  it("uploads' File-Path (encoded and raw): no write outside the roots", async () => {
    for (const path of writes) {
      for (const fp of [encodeURIComponent(path), headerSafe(path)]) {
        const r = await raw(server.url, 'PUT', '/api/fs/put', { authorization: api.token, 'file-path': fp, 'content-type': 'application/octet-stream' }, 'x');
        note('File-Path', path, r.status, r.body);
      }
    }
    expect(problems).toEqual([]);
  });

  it('/d and /p: never the secret, never 5xx', async () => {
    for (const path of corpus) {
      for (const door of ['/d/', '/p/']) {
        const r = await raw(server.url, 'GET', door + urlSafe(path.replace(/^\//, '')));
        note(door, path, r.status, r.body);
        if (r.status === 200) problems.push(`200 for ${door}${JSON.stringify(path)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('WebDAV request URIs (GET, PROPFIND, PUT, MKCOL, DELETE): never the secret, never 5xx', async () => {
    const auth = { authorization: ADMIN };
    for (const path of corpus) {
      const url = '/dav/' + urlSafe(path.replace(/^\//, ''));
      const get = await raw(server.url, 'GET', url, auth);
      note('dav GET', path, get.status, get.body);
      if (get.status === 200) problems.push(`200 for dav GET ${JSON.stringify(path)}`);
      const pf = await raw(server.url, 'PROPFIND', url, { ...auth, depth: '1' });
      note('dav PROPFIND', path, pf.status, pf.body);
    }
    for (const path of writes) {
      const url = '/dav/' + urlSafe(path.replace(/^\//, ''));
      note('dav PUT', path, ...pick(await raw(server.url, 'PUT', url, auth, 'x')));
      note('dav MKCOL', path, ...pick(await raw(server.url, 'MKCOL', url + 'd', auth)));
      note('dav DELETE', path, ...pick(await raw(server.url, 'DELETE', url.replace('pwned.txt', 'SECRET.txt'), auth)));
    }
    expect(problems).toEqual([]);
  });

  it('WebDAV Destination (relative and absolute, COPY and MOVE): nothing lands outside the roots', async () => {
    await api.put('/sub/src.txt', 'source');
    const host = new URL(server.url).host;
    for (const path of writes) {
      const rel = '/dav/' + urlSafe(path.replace(/^\//, ''));
      for (const dest of [rel, `http://${host}${rel}`, headerSafe(path)]) {
        // RFC 4918 §9.8.5: 502 is the answer for a Destination on another server or outside the
        // WebDAV namespace (after URL resolution). Any other 5xx is a failure.
        const status = (s: number) => (s === 502 ? 400 : s);
        const copy = await raw(server.url, 'COPY', '/dav/sub/src.txt', { authorization: ADMIN, destination: dest, overwrite: 'T' });
        note('dav COPY Destination', path, status(copy.status), copy.body);
        const move = await raw(server.url, 'MOVE', '/dav/m2/nothing.txt', { authorization: ADMIN, destination: dest });
        note('dav MOVE Destination', path, status(move.status), move.body);
        if (copy.status === 502 && dest === rel) problems.push(`502 for a Destination inside the prefix: ${JSON.stringify(path)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('shares (/api/fs/list|get under /@s/<id>, /sd/<id>): a share of /sub reaches nothing beside it, never 5xx', async () => {
    writeFileSync(join(root, 'beside.txt'), MARKER);
    const made = await api.post<{ id: string }>('/api/share/create', { files: ['/sub'] });
    expect(made.code).toBe(200);
    const id = made.data.id;
    // The control: the share really serves its folder.
    expect((await raw(server.url, 'GET', `/sd/${id}/ok.txt`)).body).toBe('control');
    const anon = new ApiClient(server.url);
    for (const path of corpus) {
      for (const route of ['/api/fs/list', '/api/fs/get']) {
        const r = await anon.call('POST', route, { path: `/@s/${id}${path.startsWith('/') ? '' : '/'}${path}` });
        note(`share ${route}`, path, r.code, JSON.stringify(r));
      }
      const d = await raw(server.url, 'GET', `/sd/${id}/${urlSafe(path.replace(/^\//, ''))}`);
      note('/sd/', path, d.status, d.body);
      if (d.status === 200) problems.push(`200 for /sd/${JSON.stringify(path)}`);
    }
    expect(problems).toEqual([]);
  });

  it('left the world outside the roots untouched', () => {
    const outside = walk(outer, [root, m2]).map((p) => p.slice(outer.length));
    expect(outside.sort()).toEqual(['/SECRET.txt', '/outside', '/outside/SECRET.txt']);
    expect(walk(server.dataDir, []).filter((p) => /pwned|SECRET\.txt.+/.test(p))).toEqual([]);
  });
});

function pick(r: { status: number; body: string }): [number, string] {
  return [r.status, r.body];
}
