import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMessages } from '../../src/auth/errors.js';
import { GateMessages } from '../../src/auth/gate.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { DIRS, type ModelAsk, type ModelMeta, type ModelPrincipal, PATHS, askArb, modelAllows } from './gate-model.js';
import { raw } from './http.js';

const LOGIN = 'prop-pass';
const GATE_MESSAGES: string[] = [AuthMessages.permission, AuthMessages.metaPassword, AuthMessages.prefix, AuthMessages.scope, GateMessages.root, GateMessages.passwordLocked];

const parentOf = (p: string) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));
const nameOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/**
 * The same reference model, checked through the real doors: random bits, base paths, tokens and
 * metas are stored through the server, and a random operation is sent over the JSON API or
 * WebDAV. The door must refuse (403/401/429 with a gate message) exactly when the model does.
 */
describe('every door decides as the reference model', () => {
  let server: TestServer;
  let work: string;
  let admin: ApiClient;
  let userId = 0;
  let jwt = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-gate-doors-'));
    const root = join(work, 'root');
    for (const p of PATHS) {
      if (p.endsWith('.txt')) writeFileSync(join(root, p), 'x');
      else mkdirSync(join(root, p), { recursive: true });
    }
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
    admin = ApiClient.for(server, server.settings.get('token'));
    expect((await admin.post('/api/admin/user/create', { username: 'prop', password: LOGIN, permission: 0 })).code).toBe(200);
    userId = (await server.repos.users.getByUsername('prop'))?.id ?? 0;
    jwt = await ApiClient.for(server).login('prop', LOGIN);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function setMetas(metas: ModelMeta[]): Promise<ModelMeta[]> {
    const { items } = await server.repos.metas.list();
    for (const m of items) expect((await admin.post(`/api/admin/meta/delete?id=${m.id}`)).code).toBe(200);
    const stored: ModelMeta[] = [];
    for (const m of metas) {
      const r = await admin.post('/api/admin/meta/create', { path: m.path, password: m.password, p_sub: m.pSub, write: m.write, w_sub: m.wSub });
      expect(r.code).toBe(200);
      stored.push({ ...m, id: (await server.repos.metas.list()).items.find((x) => x.path === m.path)?.id ?? 0 });
    }
    return stored;
  }

  async function credentials(p: ModelPrincipal): Promise<string> {
    await server.repos.users.update(userId, { basePath: p.basePath, permission: p.permission });
    if (!p.token) return jwt;
    const made = await new ApiClient(server.url, jwt).post('/api/me/tokens/create', { name: 't', scope: p.token.scope, path_prefix: p.token.prefix });
    expect(made.code, made.message).toBe(200);
    return made.data.token as string;
  }

  const userPathOf = (p: ModelPrincipal, abs: string) => (p.basePath === '/' ? abs : abs.slice(p.basePath.length) || '/');

  async function viaApi(p: ModelPrincipal, token: string, ask: ModelAsk): Promise<{ refused: boolean; why: string }> {
    const c = new ApiClient(server.url, token);
    const u = (abs: string) => userPathOf(p, abs);
    let r;
    switch (ask.action) {
      case 'list':
        r = await c.post('/api/fs/list', { path: u(ask.path), password: ask.password });
        break;
      case 'read':
        r = await c.post('/api/fs/get', { path: u(ask.path), password: ask.password });
        break;
      case 'write':
        r = await c.put(u(ask.path), 'data', { password: ask.password });
        break;
      case 'mkdir':
        r = await c.post('/api/fs/mkdir', { path: u(ask.path), password: ask.password });
        break;
      case 'rename':
        r = await c.post('/api/fs/rename', { path: u(ask.path), name: nameOf(ask.target ?? ''), password: ask.password });
        break;
      case 'remove':
        r = await c.post('/api/fs/remove', { dir: u(parentOf(ask.path)), names: [nameOf(ask.path)], password: ask.password });
        break;
      default:
        r = await c.post(`/api/fs/${ask.action}`, { src_dir: u(parentOf(ask.path)), dst_dir: u(parentOf(ask.target ?? '')), names: [nameOf(ask.path)], password: ask.password });
    }
    return { refused: (r.code === 403 || r.code === 429) && GATE_MESSAGES.includes(r.message), why: `${r.code} ${r.message}` };
  }

  async function viaDav(p: ModelPrincipal, token: string, ask: ModelAsk): Promise<{ refused: boolean; why: string }> {
    const auth = `Bearer ${token}`;
    const url = (abs: string) => `/dav${userPathOf(p, abs) === '/' ? '/' : userPathOf(p, abs)}`;
    const method = { list: 'PROPFIND', read: 'GET', write: 'PUT', mkdir: 'MKCOL', rename: 'MOVE', move: 'MOVE', copy: 'COPY', remove: 'DELETE' }[ask.action];
    const headers: Record<string, string> = { authorization: auth, ...(ask.action === 'list' ? { depth: '0' } : {}) };
    if (ask.target !== undefined) headers.destination = url(ask.target);
    const r = await raw(server.url, method, url(ask.path), headers, ask.action === 'write' ? 'data' : undefined);
    const message = r.body.replace(/^\d+ /, '').trim();
    return { refused: [401, 403, 429].includes(r.status) && GATE_MESSAGES.includes(message), why: `${r.status} ${r.body.slice(0, 120)}` };
  }

  it('refuses exactly what the model refuses, over the API and WebDAV', async () => {
    const principal = fc.record(
      {
        role: fc.constant('general' as const),
        permission: fc.integer({ min: 0, max: 2 ** 14 - 1 }),
        basePath: fc.constantFrom(...DIRS),
        token: fc.option(fc.record({ scope: fc.constantFrom('read' as const, 'write' as const), prefix: fc.constantFrom(...DIRS) }), { nil: undefined }),
      },
      { requiredKeys: ['role', 'permission', 'basePath'] },
    );
    const metas = fc
      .uniqueArray(
        fc.record({ path: fc.constantFrom(...PATHS.filter((x) => x !== '/')), password: fc.constantFrom('', 'p1', LOGIN), pSub: fc.boolean(), write: fc.boolean(), wSub: fc.boolean() }),
        { maxLength: 3, selector: (m) => m.path },
      )
      .map((list) => list.map((m, i) => ({ ...m, id: i + 1 })));
    const inside = (path: string, base: string) => base === '/' || path === base || path.startsWith(base + '/');
    let refusals = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(principal, metas, askArb, fc.constantFrom('api' as const, 'webdav' as const), async (p, ms, a, door) => {
        // What a door can express: paths below the user's base, whole names to carry, no COPY into itself.
        const ask: ModelAsk = { ...a, door, ...(a.action === 'move' || a.action === 'copy' ? { target: `${parentOf(a.target ?? '/') === '/' ? '' : parentOf(a.target ?? '/')}/${nameOf(a.path)}` } : {}) };
        if (door === 'webdav') ask.password = '';
        fc.pre(inside(ask.path, p.basePath) && (ask.target === undefined || inside(ask.target, p.basePath)));
        fc.pre(ask.action === 'list' || ask.action === 'read' || ask.path !== '/');
        // The API names what it changes by folder and name: a user's own root has no name to send.
        fc.pre(door !== 'api' || ask.action === 'list' || ask.action === 'read' || ask.path !== p.basePath);
        fc.pre(ask.target === undefined || (ask.target !== ask.path && !inside(ask.target, ask.path) && !inside(ask.path, ask.target)));
        const stored = await setMetas(ms);
        const token = await credentials(p);
        const expected = modelAllows(p, stored, ask, false);
        const got = door === 'api' ? await viaApi(p, token, ask) : await viaDav(p, token, ask);
        runs++;
        if (got.refused) refusals++;
        expect(got.refused, JSON.stringify({ p, ms, ask, got })).toBe(!expected);
      }),
      { numRuns: Number(process.env.FILEBRIDGE_DOOR_RUNS ?? 150) },
    );
    expect(runs).toBeGreaterThan(50);
    expect(refusals).toBeGreaterThan(10);
    expect(runs - refusals).toBeGreaterThan(10);
  });
});
