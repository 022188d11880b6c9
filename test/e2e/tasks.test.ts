import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Perm } from '../../src/auth/permissions.js';
import { MOUNT_STATES } from '../../src/core/mount.js';
import type { TaskInfo } from '../../src/server/api/tasks.js';
import { TaskState } from '../../src/tasks/states.js';
import { sha256, tree } from '../helpers/files.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';

const sha = sha256;



/**
 * Copies and moves across storages through the API run as durable tasks: the answer carries
 * OpenList's TaskInfo, the task routes show and steer them, and the files arrive intact.
 */
describe('tasks: copy and move across storages', () => {
  let server: TestServer;
  let work: string;
  let admin: ApiClient;
  let bob: ApiClient;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-tasks-'));
    for (const d of ['a', 'b', 'c']) mkdirSync(join(work, d));
    server = await startTestServer({
      config: { task_poll_ms: 50, task_retry_ms: 50, task_lease_ms: 2000 },
      storages: [
        { mountPath: '/a', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'a') }) },
        { mountPath: '/b', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'b') }) },
        { mountPath: '/short', driver: 'TestShortWrite', addition: JSON.stringify({ root_folder_path: join(work, 'c') }) },
      ],
    });
    admin = ApiClient.for(server);
    await admin.login();
    const bits = Perm.Write | Perm.Copy | Perm.Move | Perm.Remove;
    expect((await admin.post('/api/admin/user/create', { username: 'bob', password: 'bob-pass-1234', base_path: '/', permission: bits })).code).toBe(200);
    bob = ApiClient.for(server);
    await bob.login('bob', 'bob-pass-1234');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function finished(client: ApiClient, kind: string, id: string): Promise<TaskInfo> {
    let info: TaskInfo | undefined;
    await waitFor(
      async () => {
        const r = await client.post<TaskInfo>(`/api/task/${kind}/info?tid=${id}`);
        info = r.data;
        return r.code === 200 && [TaskState.Succeeded, TaskState.Failed, TaskState.Canceled].includes(info.state as never);
      },
      30_000,
      `task ${id} to finish`,
    );
    return info as TaskInfo;
  }

  it('copies a folder tree across storages as one task with TaskInfo, and lists it under done', async () => {
    const src = join(work, 'a', 'album');
    mkdirSync(join(src, 'disc 1', 'empty'), { recursive: true });
    mkdirSync(join(src, 'disc 2'), { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(join(src, i % 2 ? 'disc 1' : 'disc 2', `track ${i}.flac`), randomBytes(1000 + i * 997));
    writeFileSync(join(src, 'cover.jpg'), randomBytes(70_000));
    const r = await admin.post<{ message: string; tasks: TaskInfo[] }>('/api/fs/copy', { src_dir: '/a', dst_dir: '/b', names: ['album'] });
    expect(r.code).toBe(200);
    expect(r.data.message).toBe('Successfully created 1 copy task(s)');
    expect(r.data.tasks).toHaveLength(1);
    const t = r.data.tasks[0] as TaskInfo;
    expect(Object.keys(t).sort()).toEqual(['creator', 'creator_role', 'end_time', 'error', 'id', 'name', 'progress', 'start_time', 'state', 'status', 'total_bytes'].sort());
    expect(t).toMatchObject({ name: 'copy [/a](/album) to [/b](/album)', creator: 'admin', creator_role: 2 });
    const done = await finished(admin, 'copy', t.id);
    expect(done).toMatchObject({ state: TaskState.Succeeded, progress: 100, error: '' });
    const bytes = [...tree(src).keys()].filter((k) => !k.endsWith('/')).reduce((n, k) => n + readFileSync(join(src, k)).length, 0);
    expect(done.total_bytes).toBe(bytes);
    expect(done.end_time).not.toBeNull();
    expect(tree(join(work, 'b', 'album'))).toEqual(tree(src));
    expect(existsSync(join(src, 'cover.jpg'))).toBe(true);
    const listed = await admin.get<TaskInfo[]>('/api/task/copy/done');
    expect(listed.data.map((x) => x.id)).toContain(t.id);
    expect((await admin.get<TaskInfo[]>('/api/task/copy/undone')).data.map((x) => x.id)).not.toContain(t.id);
    expect((await admin.get<TaskInfo[]>('/api/admin/task/copy/done')).data.map((x) => x.id)).toContain(t.id);
    // Kinds are apart: the copy is not a move.
    expect((await admin.post('/api/task/move/info?tid=' + t.id)).code).toBe(404);
  });

  it('moves a tree: every file verified before its source goes; the source folders go last', async () => {
    const src = join(work, 'a', 'photos');
    mkdirSync(join(src, '2025'), { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(src, '2025', `p${i}.jpg`), randomBytes(5000 + i));
    const before = tree(src);
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/move', { src_dir: '/a', dst_dir: '/b', names: ['photos'] });
    const done = await finished(admin, 'move', (r.data.tasks[0] as TaskInfo).id);
    expect(done.state).toBe(TaskState.Succeeded);
    expect(tree(join(work, 'b', 'photos'))).toEqual(before);
    expect(existsSync(src)).toBe(false);
  });

  it('a move whose copy arrives short fails that file and leaves its source untouched', async () => {
    const src = join(work, 'a', 'docs');
    mkdirSync(src);
    writeFileSync(join(src, 'fine.txt'), randomBytes(3000));
    const precious = randomBytes(4000);
    writeFileSync(join(src, 'corrupt-me.bin'), precious);
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/move', { src_dir: '/a', dst_dir: '/short', names: ['docs'] });
    const done = await finished(admin, 'move', (r.data.tasks[0] as TaskInfo).id);
    expect(done.state).toBe(TaskState.Failed);
    expect(done.error).toContain('corrupt-me.bin');
    expect(readFileSync(join(src, 'corrupt-me.bin')).equals(precious)).toBe(true);
    // The good file moved; the source folder stays because it still holds the failed file.
    expect(existsSync(join(src, 'fine.txt'))).toBe(false);
    expect(existsSync(join(work, 'c', 'docs', 'fine.txt'))).toBe(true);
  });

  it('skips existing files when asked, and same-storage copies stay synchronous', async () => {
    mkdirSync(join(work, 'a', 'mixed'));
    writeFileSync(join(work, 'a', 'mixed', 'new.txt'), 'new');
    writeFileSync(join(work, 'a', 'mixed', 'old.txt'), 'from a');
    mkdirSync(join(work, 'b', 'mixed'));
    writeFileSync(join(work, 'b', 'mixed', 'old.txt'), 'kept');
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/copy', { src_dir: '/a', dst_dir: '/b', names: ['mixed'], overwrite: true, conflict: 'skip' });
    expect((await finished(admin, 'copy', (r.data.tasks[0] as TaskInfo).id)).state).toBe(TaskState.Succeeded);
    expect(readFileSync(join(work, 'b', 'mixed', 'old.txt'), 'utf8')).toBe('kept');
    expect(readFileSync(join(work, 'b', 'mixed', 'new.txt'), 'utf8')).toBe('new');
    const same = await admin.post<{ message: string }>('/api/fs/copy', { src_dir: '/a/mixed', dst_dir: '/a', names: ['new.txt'], overwrite: true });
    expect(same.data).toEqual({ message: 'Copy operations completed immediately' });
  });

  it('other users see neither the tasks nor their ids; a read-only token may look but not cancel', async () => {
    writeFileSync(join(work, 'a', 'bob.bin'), randomBytes(2000));
    const mine = await bob.post<{ tasks: TaskInfo[] }>('/api/fs/copy', { src_dir: '/a', dst_dir: '/b', names: ['bob.bin'] });
    const id = (mine.data.tasks[0] as TaskInfo).id;
    expect((mine.data.tasks[0] as TaskInfo).creator).toBe('bob');
    await finished(bob, 'copy', id);
    const adminTasks = (await admin.get<TaskInfo[]>('/api/task/copy/done')).data;
    const bobs = (await bob.get<TaskInfo[]>('/api/task/copy/done')).data;
    expect(bobs.map((t) => t.id)).toEqual([id]);
    expect(adminTasks.length).toBeGreaterThan(1);
    const other = adminTasks.find((t) => t.creator === 'admin') as TaskInfo;
    expect(await bob.post(`/api/task/copy/info?tid=${other.id}`)).toMatchObject({ code: 404, message: 'task not found' });
    expect(await bob.post(`/api/task/copy/delete?tid=${other.id}`)).toMatchObject({ code: 404 });
    expect((await bob.post('/api/task/copy/delete_some', [other.id])).data).toEqual({ [other.id]: 'task not found' });
    expect((await admin.post(`/api/task/copy/info?tid=${other.id}`)).code).toBe(200);
    const made = await bob.post<{ token: string }>('/api/me/tokens/create', { name: 'look', scope: 'read' });
    const reader = new ApiClient(server.url, made.data.token);
    expect((await reader.post(`/api/task/copy/info?tid=${id}`)).code).toBe(200);
    expect((await reader.post(`/api/task/copy/delete?tid=${id}`)).code).toBe(403);
    expect((await bob.post(`/api/task/copy/delete?tid=${id}`)).code).toBe(200);
    expect((await bob.post(`/api/task/copy/info?tid=${id}`)).code).toBe(404);
  });

  it('a failed task is retried: the finished files are kept and the rest run again', async () => {
    const src = join(work, 'a', 'retry');
    mkdirSync(src);
    writeFileSync(join(src, 'ok.txt'), 'ok');
    writeFileSync(join(src, 'corrupt.txt'), 'will be short');
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/copy', { src_dir: '/a', dst_dir: '/short', names: ['retry'] });
    const id = (r.data.tasks[0] as TaskInfo).id;
    expect((await finished(admin, 'copy', id)).state).toBe(TaskState.Failed);
    // The cause goes away: an empty file cannot lose a byte, so the retried item succeeds.
    expect((await admin.put('/a/retry/corrupt.txt', '')).code).toBe(200);
    expect((await admin.post('/api/task/copy/retry_failed')).code).toBe(200);
    expect((await finished(admin, 'copy', id)).state).toBe(TaskState.Succeeded);
    expect(readFileSync(join(work, 'c', 'retry', 'ok.txt'), 'utf8')).toBe('ok');
  });

  it('cancels a running task: it ends canceled and its unfinished files are not written', async () => {
    const src = join(work, 'a', 'big');
    mkdirSync(src);
    for (let i = 0; i < 200; i++) writeFileSync(join(src, `f${i}.bin`), randomBytes(20_000));
    const r = await admin.post<{ tasks: TaskInfo[] }>('/api/fs/copy', { src_dir: '/a', dst_dir: '/b', names: ['big'] });
    const id = (r.data.tasks[0] as TaskInfo).id;
    expect((await admin.post(`/api/task/copy/cancel?tid=${id}`)).code).toBe(200);
    const done = await finished(admin, 'copy', id);
    expect(done.state).toBe(TaskState.Canceled);
    const copied = existsSync(join(work, 'b', 'big')) ? readdirSync(join(work, 'b', 'big')).length : 0;
    expect(copied).toBeLessThan(200);
    // No half-written file is visible: whatever arrived is whole.
    for (const name of existsSync(join(work, 'b', 'big')) ? readdirSync(join(work, 'b', 'big')) : []) {
      expect(readFileSync(join(work, 'b', 'big', name)).equals(readFileSync(join(src, name)))).toBe(true);
    }
  });

  it('exports tasks by state, bytes moved, retries and queue depth in /metrics; mount states come from the one list', async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: server.settings.get('token') } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const succeeded = /^filebridge_tasks\{kind="copy",state="Succeeded"\} (\d+)$/m.exec(text);
    expect(Number(succeeded?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^filebridge_tasks\{kind="move",state="Failed"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^filebridge_task_bytes_done\{kind="copy"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(70_000);
    expect(text).toMatch(/^filebridge_task_retries \d+$/m);
    expect(text).toMatch(/^filebridge_task_queue_depth\{mount="\/b"\} \d+$/m);
    for (const state of MOUNT_STATES) expect(text).toContain(`filebridge_mount_state{mount="/a",driver="Local",state="${state}"}`);
  });

  it('WebDAV COPY and MOVE across storages run on the engine while the client waits, and show as tasks', async () => {
    const src = join(work, 'a', 'dav-tree');
    mkdirSync(join(src, 'inner'), { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(src, 'inner', `x${i}.bin`), randomBytes(3000 + i));
    const before = tree(src);
    const auth = { authorization: `Bearer ${server.settings.get('token')}` };
    const copied = await fetch(`${server.url}/dav/a/dav-tree`, { method: 'COPY', headers: { ...auth, destination: `${server.url}/dav/b/dav-tree` } });
    expect(copied.status).toBe(201);
    expect(tree(join(work, 'b', 'dav-tree'))).toEqual(before);
    const done = (await admin.get<TaskInfo[]>('/api/task/copy/done')).data;
    expect(done.find((t) => t.name === 'copy /a/dav-tree to /b/dav-tree (WebDAV)')).toMatchObject({ state: TaskState.Succeeded });
    const moved = await fetch(`${server.url}/dav/a/dav-tree`, { method: 'MOVE', headers: { ...auth, destination: `${server.url}/dav/short/dav-tree`, overwrite: 'T' } });
    expect(moved.status).toBe(201);
    expect(existsSync(src)).toBe(false);
    expect(tree(join(work, 'c', 'dav-tree'))).toEqual(before);
  });

  it('As-Task uploads are staged and committed by a durable upload task; a body too big for the staging folder is refused before a byte lands', async () => {
    const body = randomBytes(300_000);
    const res = await fetch(`${server.url}/api/fs/put`, {
      method: 'PUT',
      headers: { authorization: admin.token, 'file-path': encodeURIComponent('/b/uploads/big one.bin'), 'as-task': 'true' },
      body,
    });
    const r = (await res.json()) as { code: number; data: { task: TaskInfo } };
    expect(r.code).toBe(200);
    expect(r.data.task).toMatchObject({ name: 'upload big one.bin to [/b](/uploads/big one.bin)', creator: 'admin' });
    const done = await finished(admin, 'upload', r.data.task.id);
    expect(done).toMatchObject({ state: TaskState.Succeeded, total_bytes: body.length });
    expect(readFileSync(join(work, 'b', 'uploads', 'big one.bin')).equals(body)).toBe(true);
    const staging = join(server.dataDir, 'temp', 'uploads');
    expect(readdirSync(staging)).toEqual([]);

    // 1 PB announced: refused with 507 before the body is read; nothing staged, nothing written.
    const refused = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const u = new URL(`${server.url}/api/fs/put`);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers: { authorization: admin.token, 'file-path': encodeURIComponent('/b/uploads/huge.bin'), 'as-task': 'true', 'content-length': String(10 ** 15) } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, text });
        });
      });
      req.on('error', reject);
      req.write(randomBytes(1000));
    });
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 507 });
    expect(JSON.parse(refused.text).message).toMatch(/not enough free space in the staging folder/);
    expect(readdirSync(staging)).toEqual([]);
    expect(existsSync(join(work, 'b', 'uploads', 'huge.bin'))).toBe(false);
  });
});
