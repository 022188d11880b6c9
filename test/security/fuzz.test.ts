import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { fuzzRuns, hostileCorpus } from './corpus.js';
import { basicAuth } from './http.js';

const RUNS = fuzzRuns(60);
const ADMIN = basicAuth('admin', 'admin-test-pass');

/** Any JSON-ish value a client might send in a field. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.constantFrom(...hostileCorpus('x'), '', '/', '/sub', '/sub/a.txt', 'a.txt'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** A body: mostly the route's own fields with hostile values, sometimes any JSON, sometimes not JSON at all. */
function bodyFor(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<{ text: string; type: string }> {
  const shaped = fc.record(Object.fromEntries(Object.keys(fields).map((k) => [k, fc.oneof(fields[k] as fc.Arbitrary<unknown>, anyValue)])), { requiredKeys: [] });
  return fc.oneof(
    { weight: 6, arbitrary: shaped.map((b) => ({ text: JSON.stringify(b), type: 'application/json' })) },
    { weight: 1, arbitrary: fc.json().map((t) => ({ text: t, type: 'application/json' })) },
    { weight: 1, arbitrary: fc.string().map((t) => ({ text: t, type: 'application/json' })) },
    { weight: 1, arbitrary: fc.string().map((t) => ({ text: t, type: fc.sample(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/xml'), 1)[0] ?? 'text/plain' })) },
  );
}

const id = fc.oneof(fc.integer({ min: 3, max: 50 }), fc.string({ maxLength: 5 }), fc.constant(-1));
const safeName = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const str = fc.string({ maxLength: 40 });
const bool = fc.oneof(fc.boolean(), fc.constantFrom('true', 'false', 'yes', 1, 0));

describe('property-based fuzzing of every JSON route and WebDAV XML body', () => {
  let server: TestServer;
  let work: string;
  let userToken = '';
  const rejections: unknown[] = [];
  const onRejection = (r: unknown) => rejections.push(r);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    work = mkdtempSync(join(tmpdir(), 'filebridge-fuzz-'));
    mkdirSync(join(work, 'root', 'sub'), { recursive: true });
    mkdirSync(join(work, 'mounts'));
    writeFileSync(join(work, 'root', 'sub', 'a.txt'), 'hello');
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'root') }) }] });
    const adminToken = server.settings.get('token');
    const create = await server.app.inject({ method: 'POST', url: '/api/admin/user/create', headers: { authorization: adminToken }, payload: { username: 'fuzzer', password: 'fuzz-pass', permission: 0xffff } });
    expect(create.json().code).toBe(200);
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'fuzzer', password: 'fuzz-pass' } });
    const tok = await server.app.inject({ method: 'POST', url: '/api/me/tokens/create', headers: { authorization: login.json().data.token }, payload: { name: 'fuzz', scope: 'write' } });
    userToken = tok.json().data.token as string;
  });

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Sends one request and returns a problem description, or undefined when the answer is acceptable. */
  async function send(method: string, url: string, auth: string, body?: { text: string; type: string }): Promise<string | undefined> {
    const res = await server.app.inject({
      method: method as 'POST',
      url,
      headers: { authorization: auth, ...(body ? { 'content-type': body.type } : {}) },
      ...(body ? { payload: body.text } : {}),
    });
    if (res.statusCode >= 500) return `${method} ${url} -> HTTP ${res.statusCode}: ${res.body.slice(0, 200)}`;
    if (res.body.includes('"internal error"') || res.body.includes('internal error\n')) return `${method} ${url} -> internal error for ${body?.text.slice(0, 200)}`;
    return undefined;
  }

  const storageAddition = fc.oneof(
    safeName.map((n) => JSON.stringify({ root_folder_path: join(work, 'mounts', n) })),
    fc.string(),
    fc.json(),
  );

  /** Every JSON route with its fields; admin routes run with the admin token, user routes with a user's API token. */
  const ROUTES: [string, string, 'admin' | 'user' | 'none', Record<string, fc.Arbitrary<unknown>>][] = [
    ['POST', '/api/fs/list', 'user', { path: str, password: str, page: fc.integer(), per_page: fc.integer(), refresh: bool }],
    ['POST', '/api/fs/get', 'user', { path: str, password: str }],
    ['POST', '/api/fs/dirs', 'user', { path: str, password: str, force_root: bool }],
    ['POST', '/api/fs/search', 'user', { parent: str, keywords: str, scope: fc.integer(), page: fc.integer(), per_page: fc.integer() }],
    ['POST', '/api/fs/mkdir', 'user', { path: str }],
    ['POST', '/api/fs/rename', 'user', { path: str, name: str, overwrite: bool }],
    ['POST', '/api/fs/move', 'user', { src_dir: str, dst_dir: str, names: fc.array(str, { maxLength: 3 }), overwrite: bool }],
    ['POST', '/api/fs/copy', 'user', { src_dir: str, dst_dir: str, names: fc.array(str, { maxLength: 3 }), overwrite: bool }],
    ['POST', '/api/fs/remove', 'user', { dir: str, names: fc.array(str, { maxLength: 3 }) }],
    ['POST', '/api/fs/batch_rename', 'user', { src_dir: str, rename_objects: fc.array(fc.record({ src_name: str, new_name: str }), { maxLength: 3 }) }],
    ['POST', '/api/fs/link', 'user', { path: str }],
    ['POST', '/api/auth/login', 'none', { username: fc.oneof(str, fc.constant('fuzzer')), password: str, otp_code: str }],
    ['POST', '/api/auth/login/hash', 'none', { username: str, password: str }],
    ['POST', '/api/me/update', 'user', { username: fc.constant('fuzzer'), password: fc.constant(''), sso_id: str }],
    ['POST', '/api/auth/2fa/verify', 'user', { code: str, secret: str }],
    ['POST', '/api/me/tokens/create', 'user', { name: str, scope: fc.constantFrom('read', 'write', 'admin', 'root'), expires_at: str, expires_in_days: fc.double(), path_prefix: str }],
    ['POST', '/api/me/tokens/revoke', 'user', { id: fc.integer({ min: 100 }) }],
    ['POST', '/api/admin/user/create', 'admin', { username: str, password: str, base_path: str, role: fc.integer(), disabled: bool, permission: fc.integer(), sso_id: str }],
    ['POST', '/api/admin/user/update', 'admin', { id, username: str, password: str, base_path: str, role: fc.integer(), disabled: bool, permission: fc.integer() }],
    ['POST', '/api/admin/user/delete', 'admin', { id }],
    ['POST', '/api/admin/user/cancel_2fa', 'admin', { id }],
    ['POST', '/api/admin/storage/create', 'admin', { mount_path: str.map((s) => `/fz${s}`), driver: fc.constantFrom('Local', 'NoSuchDriver', 'S3', ''), addition: storageAddition, order: fc.integer(), cache_expiration: fc.integer(), disabled: fc.constant(true), webdav_policy: str }],
    ['POST', '/api/admin/storage/update', 'admin', { id, mount_path: str.map((s) => `/fz${s}`), driver: fc.constantFrom('Local', 'S3'), addition: storageAddition, disabled: fc.constant(true) }],
    ['POST', '/api/admin/storage/delete', 'admin', { id }],
    ['POST', '/api/admin/storage/enable', 'admin', { id }],
    ['POST', '/api/admin/storage/disable', 'admin', { id }],
    ['POST', '/api/admin/meta/create', 'admin', { path: str, password: str, p_sub: bool, write: bool, hide: str, readme: str, header: str }],
    ['POST', '/api/admin/meta/update', 'admin', { id, path: str, password: str, hide: str }],
    ['POST', '/api/admin/meta/delete', 'admin', { id }],
    ['POST', '/api/admin/setting/save', 'admin', {}],
    ['POST', '/api/admin/setting/delete', 'admin', { key: str.map((s) => `fz_${s}`) }],
    ['POST', '/api/admin/token/revoke', 'admin', { id: fc.integer({ min: 100 }) }],
  ];

  it('objects in number, id and boolean fields are refused with a 400 naming the field, never converted', async () => {
    const admin = server.settings.get('token');
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'fuzzer', password: 'fuzz-pass' } });
    const session = login.json().data.token as string;
    const hostile: unknown[] = [{ toString: 'x' }, { valueOf: 1 }, { toString: 1, valueOf: 'y' }, [], [1], true];
    const cases: [string, string, string][] = [
      ['/api/admin/user/delete', 'admin', 'id'],
      ['/api/admin/user/cancel_2fa', 'admin', 'id'],
      ['/api/admin/storage/delete', 'admin', 'id'],
      ['/api/fs/list', 'user', 'page'],
      ['/api/me/tokens/create', 'session', 'expires_in_days'],
    ];
    for (const [url, level, field] of cases) {
      for (const value of hostile) {
        const body = url === '/api/me/tokens/create' ? { name: 'n', scope: 'read', [field]: value } : url === '/api/fs/list' ? { path: '/', [field]: value } : { [field]: value };
        const res = await server.app.inject({ method: 'POST', url, headers: { authorization: level === 'admin' ? admin : level === 'session' ? session : userToken }, payload: body });
        expect(res.statusCode, `${url} ${JSON.stringify(body)}`).toBeLessThan(500);
        expect(res.json(), `${url} ${JSON.stringify(body)}`).toMatchObject({ code: 400, message: expect.stringContaining(field) });
      }
    }
    // Numeric strings still count as numbers, as AList clients send them.
    const listed = await server.app.inject({ method: 'POST', url: '/api/fs/list', headers: { authorization: userToken }, payload: { path: '/', page: '1', per_page: '10' } });
    expect(listed.json()).toMatchObject({ code: 200 });
  });

  for (const [method, url, level, fields] of ROUTES) {
    it(`${method} ${url}: no 5xx, no internal error`, async () => {
      const problems: string[] = [];
      const auth = () => (level === 'admin' ? server.settings.get('token') : level === 'user' ? userToken : '');
      const body = url === '/api/admin/setting/save'
        ? fc.array(fc.record({ key: str.map((s) => `fz_${s}`), value: anyValue }), { maxLength: 3 }).map((b) => ({ text: JSON.stringify(b), type: 'application/json' }))
        : bodyFor(fields);
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const p = await send(method, url, auth(), b);
          if (p) problems.push(p);
        }),
        { numRuns: RUNS },
      );
      expect(problems.slice(0, 5)).toEqual([]);
    });
  }

  it('GET routes with fuzzed query strings: no 5xx, no internal error', async () => {
    const gets = ['/api/admin/user/get', '/api/admin/user/list', '/api/admin/storage/get', '/api/admin/storage/list', '/api/admin/meta/get', '/api/admin/meta/list',
      '/api/admin/setting/get', '/api/admin/setting/list', '/api/admin/driver/info', '/api/admin/audit', '/api/admin/token/list', '/api/me', '/api/me/tokens', '/api/fs/list', '/api/fs/get'];
    const problems: string[] = [];
    const q = fc.dictionary(fc.constantFrom('id', 'page', 'per_page', 'key', 'keys', 'group', 'driver', 'path', 'x'), fc.oneof(fc.string(), fc.integer().map(String)), { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...gets), q, async (route, query) => {
        const p = await send('GET', `${route}?${new URLSearchParams(query).toString()}`, server.settings.get('token'));
        if (p) problems.push(p);
      }),
      { numRuns: RUNS * 4 },
    );
    expect(problems.slice(0, 5)).toEqual([]);
  });

  const xmlName = fc.oneof(fc.constantFrom('propfind', 'prop', 'allprop', 'propname', 'include', 'propertyupdate', 'set', 'remove', 'lockinfo', 'lockscope', 'exclusive', 'shared', 'locktype', 'write', 'owner', 'href', 'displayname', 'getlastmodified', 'x'), fc.stringMatching(/^[A-Za-z_][\w.-]{0,8}$/));
  const xmlTree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 20 }).map((t) => t.replace(/[<&]/g, '')),
      fc.tuple(fc.constantFrom('D:', 'Z:', '', 'x:'), xmlName, fc.array(tie('node'), { maxLength: 3 })).map(([ns, n, kids]) => `<${ns}${n}>${kids.join('')}</${ns}${n}>`),
    ),
  })).node;
  const xmlBody = fc.oneof(
    xmlTree.map((t) => `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:z">${t}</D:propfind>`),
    xmlTree.map((t) => `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>${t}</D:prop></D:set></D:propertyupdate>`),
    xmlTree.map((t) => `<D:lockinfo xmlns:D="DAV:">${t}</D:lockinfo>`),
    xmlTree,
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&e;</D:displayname></D:prop></D:propfind>',
      `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x>&j;</x></D:prop></D:set></D:propertyupdate>`,
      `<D:propfind xmlns:D="DAV:">${'<D:prop>'.repeat(5000)}${'</D:prop>'.repeat(5000)}</D:propfind>`,
      '<D:propfind xmlns:D="DAV:"><D:prop><D:unclosed></D:prop>',
      '<a xmlns="">',
    ),
  );

  for (const method of ['PROPFIND', 'PROPPATCH', 'LOCK']) {
    it(`WebDAV ${method} with fuzzed XML bodies: no 5xx, no file contents leaked`, async () => {
      const problems: string[] = [];
      await fc.assert(
        fc.asyncProperty(xmlBody, fc.constantFrom('/dav/', '/dav/sub', '/dav/sub/a.txt', '/dav/new.txt'), fc.constantFrom('0', '1', 'infinity', 'x'), async (xml, url, depth) => {
          const res = await server.app.inject({ method: method as 'POST', url, headers: { authorization: ADMIN, 'content-type': 'application/xml', depth, timeout: 'Second-5' }, payload: xml });
          if (res.statusCode >= 500) problems.push(`${method} ${url} -> ${res.statusCode}: ${xml.slice(0, 200)}`);
          if (res.body.includes('root:x:0:0')) problems.push(`XXE: ${method} ${url} resolved an external entity`);
          if (res.statusCode === 200 && method === 'LOCK') {
            const token = /<D:href>(opaquelocktoken:[^<]+)</.exec(res.body)?.[1];
            if (token) await server.app.inject({ method: 'UNLOCK' as 'POST', url, headers: { authorization: ADMIN, 'lock-token': `<${token}>` } });
          }
        }),
        { numRuns: RUNS * 2 },
      );
      expect(problems.slice(0, 5)).toEqual([]);
    });
  }

  it('saw no unhandled promise rejections', async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect(rejections).toEqual([]);
  });
});
