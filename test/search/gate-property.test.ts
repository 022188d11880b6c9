import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Perm } from '../../src/auth/permissions.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { crawled, plant } from './helpers.js';

const FILES = ['pub/f-a.txt', 'pub/sub/f-b.txt', 'p1/f-c.txt', 'p1/inner/f-d.txt', 'p1/inner/.f-dot.txt', 'h/f-e.txt', 'h/.f-secret.txt', 'h/deep/f-g.txt', 'q/f-h.txt', 'q/r/f-i.txt', 'q/r/s/f-j.txt', 'f-top.txt'];
const FOLDERS = ['/pub/sub', '/p1', '/p1/inner', '/h', '/h/deep', '/q', '/q/r', '/q/r/s'];
const HIDES = ['^\\.', 'f-', 'inner|deep|s', '^r$'];

interface Rule {
  path: string;
  password: string;
  p_sub: boolean;
  hide: string;
  h_sub: boolean;
}

const rules = fc.uniqueArray(
  fc.record({
    path: fc.constantFrom(...FOLDERS),
    password: fc.constantFrom('', 'pw1', 'pw2'),
    p_sub: fc.boolean(),
    hide: fc.constantFrom('', ...HIDES),
    h_sub: fc.boolean(),
  }),
  { selector: (r) => r.path, maxLength: 4 },
);

/**
 * A guest's search results against the gate: whatever folder passwords and hide rules are set,
 * the guest finds exactly what walking the folders through /api/fs/list (which asks the gate)
 * would show it, never a name inside a folder it cannot open or one hidden from it.
 */
describe('search results as the gate lets a guest see them (property)', () => {
  let server: TestServer;
  let root: string;
  let admin: ApiClient;
  let guest: Record<string, unknown>;
  let address = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fb-search-gate-'));
    plant(root, FILES);
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
    admin = ApiClient.for(server, server.settings.get('token'));
    await admin.post('/api/admin/setting/save', [{ key: 'search_index', value: 'database' }]);
    await crawled(admin, FILES.length + FOLDERS.length + 1);
    guest = (await admin.get('/api/admin/user/list')).data.content.find((u: { username: string }) => u.username === 'guest');
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** A guest's request from an address of its own (wrong passwords never lock a folder here). */
  const asGuest = async (url: string, payload: unknown) => {
    address++;
    const r = await server.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, remoteAddress: `10.9.${address >> 8 & 255}.${address & 255}` });
    return r.json<{ code: number; data: any }>();
  };

  /** Names matching `f` found by walking the tree below `from` with the guest's listings. */
  async function walk(from: string, password: string): Promise<string[] | 'refused'> {
    const out: string[] = [];
    const queue = [from];
    let first = true;
    while (queue.length > 0) {
      const dir = queue.shift() as string;
      const r = await asGuest('/api/fs/list', { path: dir, password });
      if (r.code !== 200) {
        if (first) return 'refused';
        continue;
      }
      first = false;
      for (const e of r.data.content as { name: string; is_dir: boolean }[]) {
        const path = `${dir === '/' ? '' : dir}/${e.name}`;
        if (e.is_dir) queue.push(path);
        if (e.name.includes('f')) out.push(path);
      }
    }
    return out.sort();
  }

  it('finds exactly what the guest could reach by listing, for any rules, root and password', async () => {
    await fc.assert(
      fc.asyncProperty(rules, fc.constantFrom('/', '/p1', '/h', '/q', '/q/r'), fc.constantFrom('', 'pw1', 'pw2'), fc.constantFrom(0, Perm.SeeHidden), async (set, from, password, permission) => {
        await admin.post('/api/admin/user/update', { ...guest, disabled: false, permission });
        const made: number[] = [];
        try {
          for (const r of set) expect((await admin.post('/api/admin/meta/create', r satisfies Rule)).code).toBe(200);
          for (const m of (await admin.get('/api/admin/meta/list')).data.content as { id: number }[]) made.push(m.id);
          const expected = await walk(from, password);
          const r = await asGuest('/api/fs/search', { parent: from, keywords: 'f', password, page: 1, per_page: 1000 });
          if (expected === 'refused') {
            expect(r.code).not.toBe(200);
            return;
          }
          expect(r.code).toBe(200);
          const got = (r.data.content as { parent: string; name: string }[]).map((h) => `${h.parent === '/' ? '' : h.parent}/${h.name}`).sort();
          expect(got).toEqual(expected);
          expect(r.data.total).toBe(expected.length);
        } finally {
          for (const id of made) await admin.post(`/api/admin/meta/delete?id=${id}`);
        }
      }),
      { numRuns: Number(process.env.FILEBRIDGE_FUZZ_RUNS ?? 40) },
    );
  });
});
