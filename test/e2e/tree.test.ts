/**
 * The tree virtual storages are built on (DriverContext.tree): a storage can show another mount's
 * folder, and one that would reach itself, directly or through another, answers "loop" (API 508,
 * WebDAV 508 Loop Detected) instead of recursing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

describe('the tree under virtual storages', () => {
  let server: TestServer;
  let api: ApiClient;
  const root = mkdtempSync(join(tmpdir(), 'fb-tree-'));

  beforeAll(async () => {
    mkdirSync(join(root, 'docs', 'inner'), { recursive: true });
    writeFileSync(join(root, 'docs', 'a.txt'), 'through the tree');
    const pass = (mountPath: string, target: string) => ({ mountPath, driver: 'TestPassThrough', addition: JSON.stringify({ target }) });
    server = await startTestServer({
      storages: [
        { mountPath: '/files', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) },
        pass('/view', '/files/docs'),
        pass('/a', '/b'),
        pass('/b', '/a'),
        pass('/self', '/self/sub'),
        pass('/deep', '/view'),
      ],
    });
    api = ApiClient.for(server);
    await api.login();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows another mount\'s folder, stacked two deep, and reads its bytes', async () => {
    const view = await api.post('/api/fs/list', { path: '/view' });
    expect(view.code).toBe(200);
    expect(view.data.content.map((o: { name: string }) => o.name).sort()).toEqual(['a.txt', 'inner']);
    const deep = await api.post('/api/fs/list', { path: '/deep' });
    expect(deep.data.content.map((o: { name: string }) => o.name).sort()).toEqual(['a.txt', 'inner']);
    const got = await api.post('/api/fs/get', { path: '/deep/a.txt' });
    expect(got.data.size).toBe('through the tree'.length);
    const res = await fetch(`${server.url}/dav/deep/a.txt`, { headers: { authorization: `Basic ${Buffer.from('admin:admin-test-pass').toString('base64')}` } });
    expect(await res.text()).toBe('through the tree');
  });

  it('answers loop for two storages showing each other, and for a storage showing itself', async () => {
    for (const path of ['/a', '/b', '/self']) {
      const r = await api.post('/api/fs/list', { path });
      expect(r.code, path).toBe(508);
      expect(r.message, path).toMatch(/storage loop/);
    }
    const dav = await fetch(`${server.url}/dav/a/`, { method: 'PROPFIND', headers: { depth: '1', authorization: `Basic ${Buffer.from('admin:admin-test-pass').toString('base64')}` } });
    expect(dav.status).toBe(508);
  });
});
