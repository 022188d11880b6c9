import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

const NS = 'urn:filebridge-test';

/** WebDAV dead properties follow a file whichever door renames, moves, copies or removes it. */
describe('dead properties follow API and task changes', () => {
  let work: string;
  let server: TestServer;
  let api: ApiClient;
  let auth: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-props-'));
    mkdirSync(join(work, 'a'));
    mkdirSync(join(work, 'b'));
    server = await startTestServer({
      config: { task_poll_ms: 50 },
      storages: [
        { mountPath: '/a', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'a') }) },
        { mountPath: '/b', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'b') }) },
      ],
    });
    api = ApiClient.for(server);
    await api.login();
    auth = { authorization: `Bearer ${server.settings.get('token')}` };
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function setProp(path: string, value: string): Promise<void> {
    const body = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:t="${NS}"><D:set><D:prop><t:label>${value}</t:label></D:prop></D:set></D:propertyupdate>`;
    const r = await fetch(`${server.url}/dav${path}`, { method: 'PROPPATCH', headers: { ...auth, 'content-type': 'application/xml' }, body });
    expect(r.status).toBe(207);
  }

  async function label(path: string): Promise<string | undefined> {
    const body = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:t="${NS}"><D:prop><t:label/></D:prop></D:propfind>`;
    const r = await fetch(`${server.url}/dav${path}`, { method: 'PROPFIND', headers: { ...auth, depth: '0', 'content-type': 'application/xml' }, body });
    const text = await r.text();
    const ok = text.split('<D:propstat>').find((s) => s.includes('200 OK'));
    return ok ? /<[^>]*label[^>]*>([^<]*)</.exec(ok)?.[1] : undefined;
  }

  it('follows an API rename, goes with an API remove, and is not inherited by a new file of the same name', async () => {
    writeFileSync(join(work, 'a', 'doc.txt'), 'one');
    await setProp('/a/doc.txt', 'first');
    expect(await label('/a/doc.txt')).toBe('first');
    expect((await api.post('/api/fs/rename', { path: '/a/doc.txt', name: 'renamed.txt' })).code).toBe(200);
    expect(await label('/a/renamed.txt')).toBe('first');
    expect((await api.post('/api/fs/remove', { dir: '/a', names: ['renamed.txt'] })).code).toBe(200);
    writeFileSync(join(work, 'a', 'renamed.txt'), 'a new file');
    expect(await label('/a/renamed.txt')).toBeUndefined();
  });

  it('follows a move across storages once its task succeeded', async () => {
    writeFileSync(join(work, 'a', 'song.flac'), 'music');
    await setProp('/a/song.flac', 'tagged');
    const r = await api.post<{ tasks: { id: string }[] }>('/api/fs/move', { src_dir: '/a', dst_dir: '/b', names: ['song.flac'] });
    const id = (r.data.tasks[0] as { id: string }).id;
    await waitFor(async () => (await api.post(`/api/task/move/info?tid=${id}`)).data.state === TaskState.Succeeded, 20_000, 'the move');
    expect(await label('/b/song.flac')).toBe('tagged');
  });
});
