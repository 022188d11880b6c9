import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken } from '../../src/auth/api-tokens.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { Perm } from '../../src/auth/permissions.js';
import type { TestServer } from '../helpers/server.js';
import { ADMIN, basic, dav, hrefs, startDavServer } from './webdav-helpers.js';

describe('WebDAV over raw HTTP', () => {
  let server: TestServer;
  let root: string;
  let other: string;
  let url: string;
  let stop: () => Promise<void>;
  const d = (method: string, path: string, call?: Parameters<typeof dav>[3]) => dav(url, method, path, call);

  beforeAll(async () => {
    const s = await startDavServer({ extraMounts: ['/other'] });
    [server, root, other, stop] = [s.server, s.root, s.mounts['/other'] ?? '', s.stop];
    url = server.url;
  });
  afterAll(async () => stop?.());

  it('OPTIONS advertises classes 1 and 2 without credentials', async () => {
    const r = await d('OPTIONS', '/dav/', { auth: '' });
    expect(r.status).toBe(200);
    expect(r.headers.get('dav')).toBe('1, 2');
    expect(r.headers.get('ms-author-via')).toBe('DAV');
    expect(r.headers.get('allow')).toContain('PROPFIND');
  });

  it('asks for Basic credentials with 401, also after a wrong password', async () => {
    const none = await d('PROPFIND', '/dav/', { auth: '', headers: { depth: '0' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="filebridge"/);
    const wrong = await d('PROPFIND', '/dav/', { auth: basic('admin', 'nope'), headers: { depth: '0' } });
    expect(wrong.status).toBe(401);
  });

  it('MKCOL: 201, 405 when it exists, 409 without a parent, 415 with a body', async () => {
    expect((await d('MKCOL', '/dav/col')).status).toBe(201);
    expect((await d('MKCOL', '/dav/col')).status).toBe(405);
    expect((await d('MKCOL', '/dav/missing/col')).status).toBe(409);
    expect((await d('MKCOL', '/dav/withbody', { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect(statSync(join(root, 'col')).isDirectory()).toBe(true);
  });

  it('PUT: 201 new, 204 replaced, 409 without a parent or onto a collection, chunked bodies, X-OC-Mtime', async () => {
    expect((await d('PUT', '/dav/col/a.txt', { body: 'one' })).status).toBe(201);
    const again = await d('PUT', '/dav/col/a.txt', { body: 'two!' });
    expect(again.status).toBe(204);
    expect(readFileSync(join(root, 'col/a.txt'), 'utf8')).toBe('two!');
    expect((await d('PUT', '/dav/nope/a.txt', { body: 'x' })).status).toBe(409);
    expect((await d('PUT', '/dav/col', { body: 'x' })).status).toBe(409);
    const chunks = ['chunk-1 ', 'chunk-2'];
    const stream = new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(new TextEncoder().encode(next)); else c.close(); } });
    expect((await d('PUT', '/dav/col/chunked.txt', { body: stream })).status).toBe(201);
    expect(readFileSync(join(root, 'col/chunked.txt'), 'utf8')).toBe('chunk-1 chunk-2');
    const m = await d('PUT', '/dav/col/old.txt', { body: 'old', headers: { 'x-oc-mtime': '1600000000' } });
    expect(m.headers.get('x-oc-mtime')).toBe('accepted');
    expect(statSync(join(root, 'col/old.txt')).mtimeMs).toBe(1600000000_000);
  });

  it('GET/HEAD: ETag as PROPFIND reports it, Range, conditional requests, collections', async () => {
    writeFileSync(join(root, 'digits.txt'), '0123456789');
    const pf = await d('PROPFIND', '/dav/digits.txt', { headers: { depth: '0' } });
    const etag = /<D:getetag>([^<]*)<\/D:getetag>/.exec(pf.text)?.[1]?.replace(/&quot;/g, '"');
    const get = await d('GET', '/dav/digits.txt');
    expect(get.text).toBe('0123456789');
    expect(get.headers.get('etag')).toBe(etag);
    expect(get.headers.get('last-modified')).toBeTruthy();
    const part = await d('GET', '/dav/digits.txt', { headers: { range: 'bytes=2-4' } });
    expect([part.status, part.text, part.headers.get('content-range')]).toEqual([206, '234', 'bytes 2-4/10']);
    expect((await d('GET', '/dav/digits.txt', { headers: { 'if-none-match': etag ?? '' } })).status).toBe(304);
    expect((await d('GET', '/dav/digits.txt', { headers: { 'if-match': '"nope"' } })).status).toBe(412);
    expect((await d('HEAD', '/dav/digits.txt')).headers.get('content-length')).toBe('10');
    expect((await d('GET', '/dav/col')).status).toBe(405);
    expect((await d('HEAD', '/dav/col')).status).toBe(200);
    expect((await d('GET', '/dav/absent')).status).toBe(404);
  });

  it('PROPFIND: depth 0 and 1, escaped hrefs, 403 for infinity, 400 for bad XML, 404 when missing', async () => {
    mkdirSync(join(root, 'names'));
    const names = ['a b.txt', 'ü€.txt', '100%.txt', 'x#y.txt', "q'&<.txt"];
    for (const n of names) writeFileSync(join(root, 'names', n), n);
    const r = await d('PROPFIND', '/dav/names/', { headers: { depth: '1' } });
    expect(r.status).toBe(207);
    const got = hrefs(r.text).map(decodeURIComponent).sort();
    expect(got).toEqual(['/dav/names/', ...names.map((n) => `/dav/names/${n}`)].sort());
    expect(hrefs(r.text).every((h) => !/[ #]/.test(h))).toBe(true);
    const inf = await d('PROPFIND', '/dav/', { headers: { depth: 'infinity' } });
    expect(inf.status).toBe(403);
    expect(inf.text).toContain('propfind-finite-depth');
    expect((await d('PROPFIND', '/dav/', { headers: { depth: '0' }, body: '<foo>' })).status).toBe(400);
    expect((await d('PROPFIND', '/dav/nothing', { headers: { depth: '0' } })).status).toBe(404);
    const named = await d('PROPFIND', '/dav/digits.txt', {
      headers: { depth: '0' },
      body: '<?xml version="1.0"?><x:propfind xmlns:x="DAV:"><x:prop><x:getcontentlength/><y:nope xmlns:y="urn:y"/></x:prop></x:propfind>',
    });
    expect(named.text).toContain('<D:getcontentlength>10</D:getcontentlength>');
    expect(named.text).toMatch(/<x:nope xmlns:x="urn:y"\/><\/D:prop><D:status>HTTP\/1.1 404/);
  });

  it('PROPPATCH: dead properties stored, protected live ones refused as a whole', async () => {
    const set = '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop><Z:Win32LastModifiedTime>Wed, 01 Jan 2020 00:00:00 GMT</Z:Win32LastModifiedTime></D:prop></D:set></D:propertyupdate>';
    const r = await d('PROPPATCH', '/dav/digits.txt', { body: set });
    expect(r.status).toBe(207);
    expect(r.text).toContain('HTTP/1.1 200 OK');
    const back = await d('PROPFIND', '/dav/digits.txt', { headers: { depth: '0' } });
    expect(back.text).toContain('Wed, 01 Jan 2020 00:00:00 GMT</x:Win32LastModifiedTime>');
    const bad = '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag><o xmlns="urn:o">1</o></D:prop></D:set></D:propertyupdate>';
    const refused = await d('PROPPATCH', '/dav/digits.txt', { body: bad });
    expect(refused.status).toBe(207);
    expect(refused.text).toContain('HTTP/1.1 403 Forbidden');
    expect(refused.text).toContain('HTTP/1.1 424 Failed Dependency');
    expect((await d('PROPFIND', '/dav/digits.txt', { headers: { depth: '0' } })).text).not.toContain('urn:o');
  });

  it('COPY and MOVE: 201/204, 412 on Overwrite: F, 409 without a parent, across mounts, props follow', async () => {
    const abs = (p: string) => ({ destination: `${url}${p}` });
    expect((await d('COPY', '/dav/digits.txt', { headers: abs('/dav/copy.txt') })).status).toBe(201);
    expect((await d('COPY', '/dav/digits.txt', { headers: { destination: '/dav/copy.txt' } })).status).toBe(204);
    expect((await d('COPY', '/dav/digits.txt', { headers: { destination: '/dav/copy.txt', overwrite: 'F' } })).status).toBe(412);
    expect((await d('COPY', '/dav/digits.txt', { headers: { destination: '/dav/none/copy.txt' } })).status).toBe(409);
    expect((await d('COPY', '/dav/col', { headers: { destination: '/dav/other/col' } })).status).toBe(201);
    expect(readFileSync(join(other, 'col/a.txt'), 'utf8')).toBe('two!');
    expect((await d('MOVE', '/dav/copy.txt', { headers: { destination: '/dav/other/moved.txt' } })).status).toBe(201);
    expect(existsSync(join(root, 'copy.txt'))).toBe(false);
    expect(readFileSync(join(other, 'moved.txt'), 'utf8')).toBe('0123456789');
    expect((await d('MOVE', '/dav/digits.txt', { headers: { destination: '/dav/digits2.txt' } })).status).toBe(201);
    const props = await d('PROPFIND', '/dav/digits2.txt', { headers: { depth: '0' } });
    expect(props.text).toContain('Win32LastModifiedTime');
    expect((await d('MOVE', '/dav/col', { headers: { destination: '/dav/col/inside' } })).status).toBe(403);
  });

  it('LOCK/UNLOCK: 423 without the token, If header with the token, unmapped URLs, 409 for a wrong token', async () => {
    const body = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>tester</D:owner></D:lockinfo>';
    const l = await d('LOCK', '/dav/locked.txt', { body, headers: { timeout: 'Second-600' } });
    expect(l.status).toBe(201);
    const token = /<(.*)>/.exec(l.headers.get('lock-token') ?? '')?.[1] ?? '';
    expect(token).toMatch(/^opaquelocktoken:/);
    expect(l.text).toContain('<D:owner>tester</D:owner>');
    expect((await d('PUT', '/dav/locked.txt', { body: 'x' })).status).toBe(423);
    expect((await d('DELETE', '/dav/locked.txt')).status).toBe(423);
    expect((await d('LOCK', '/dav/locked.txt', { body })).status).toBe(423);
    expect((await d('PUT', '/dav/locked.txt', { body: 'x', headers: { if: `(<${token}>)` } })).status).toBe(204);
    expect((await d('PUT', '/dav/locked.txt', { body: 'x', headers: { if: '(<DAV:no-lock>)' } })).status).toBe(412);
    const disc = await d('PROPFIND', '/dav/locked.txt', { headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>' });
    expect(disc.text).toContain(token);
    expect((await d('UNLOCK', '/dav/locked.txt', { headers: { 'lock-token': '<opaquelocktoken:bogus>' } })).status).toBe(409);
    expect((await d('UNLOCK', '/dav/locked.txt', { headers: { 'lock-token': `<${token}>` } })).status).toBe(204);
    expect((await d('DELETE', '/dav/locked.txt')).status).toBe(204);
  });

  it('DELETE: recursive 204, 404 when missing', async () => {
    expect((await d('DELETE', '/dav/names')).status).toBe(204);
    expect(existsSync(join(root, 'names'))).toBe(false);
    expect((await d('DELETE', '/dav/names')).status).toBe(404);
  });

  it('refuses bad paths with 400, never 500', async () => {
    expect((await d('PROPFIND', '/dav/%E0%A4%A', { headers: { depth: '0' } })).status).toBe(400);
    expect((await d('PUT', '/dav/a%00b', { body: 'x' })).status).toBe(400);
    expect((await d('GET', '/dav/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
  });

  it('API tokens: Bearer, or as the Basic password; permission bits 8 and 9; base path', async () => {
    const { repos } = server;
    const reader = await repos.users.create({ username: 'reader', passwordHash: await hashPassword('pw-reader'), permission: Perm.WebdavRead, basePath: '/col' });
    await repos.users.create({ username: 'nodav', passwordHash: await hashPassword('pw-nodav'), permission: 0 });
    const t = newApiToken();
    await repos.tokens.create({ userId: reader, name: 't', tokenHash: t.hash, prefix: t.prefix, scope: 'write' });
    const listing = await d('PROPFIND', '/dav/', { auth: `Bearer ${t.token}`, headers: { depth: '1' } });
    expect(listing.status).toBe(207);
    expect(hrefs(listing.text)).toContain('/dav/a.txt');
    expect((await d('PROPFIND', '/dav/', { auth: basic('anyone', t.token), headers: { depth: '0' } })).status).toBe(207);
    expect((await d('PUT', '/dav/new.txt', { auth: basic('reader', 'pw-reader'), body: 'x' })).status).toBe(403);
    expect((await d('PROPFIND', '/dav/', { auth: basic('nodav', 'pw-nodav'), headers: { depth: '0' } })).status).toBe(403);
    expect((await d('GET', '/dav/a.txt', { auth: basic('reader', 'pw-reader') })).text).toBe('two!');
  });

  it('answers 503 for a storage that is down', async () => {
    await server.repos.storages.create({ mountPath: '/down', driver: 'TestFaulty', addition: JSON.stringify({ fault_file: __filename }) });
    await new Promise((r) => setTimeout(r, 400));
    const r = await d('PROPFIND', '/dav/down/x', { headers: { depth: '0' } });
    expect(r.status).toBe(503);
  });
});

describe('WebDAV lockout and lock persistence', () => {
  it('locks out an address after repeated wrong passwords (429)', async () => {
    const { server, stop } = await startDavServer();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await dav(server.url, 'PROPFIND', '/dav/', { auth: basic('admin', 'bad'), headers: { depth: '0' } })).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses[5]).toBe(429);
      expect((await dav(server.url, 'PROPFIND', '/dav/', { auth: basic(ADMIN.user, ADMIN.pass), headers: { depth: '0' } })).status).toBe(429);
    } finally {
      await stop();
    }
  });

  it('keeps locks across a restart (they live in the database)', async () => {
    const first = await startDavServer();
    const dataDir = first.server.dataDir;
    const body = '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    const l = await dav(first.server.url, 'LOCK', '/dav/keep.txt', { body });
    expect(l.status).toBe(201);
    await first.server.close();
    const { startTestServer } = await import('../helpers/server.js');
    const second = await startTestServer({ dataDir });
    try {
      expect((await dav(second.url, 'PUT', '/dav/keep.txt', { body: 'x' })).status).toBe(423);
      const token = /<(.*)>/.exec(l.headers.get('lock-token') ?? '')?.[1] ?? '';
      expect((await dav(second.url, 'PUT', '/dav/keep.txt', { body: 'x', headers: { if: `(<${token}>)` } })).status).toBe(204);
    } finally {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(first.root, { recursive: true, force: true });
    }
  });
});
