import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer, waitFor } from '../helpers/server.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';
import { kill, startChild } from './task-child.js';

const ITEMS = 500;

/** How often each file was written, and by how many different server instances. */
function writes(log: string): { perPath: Map<string, number>; instances: Set<string> } {
  const perPath = new Map<string, number>();
  const instances = new Set<string>();
  for (const line of existsSync(log) ? readFileSync(log, 'utf8').split('\n') : []) {
    if (line === '') continue;
    const [instance, path] = line.split('\t') as [string, string];
    instances.add(instance);
    perPath.set(path, (perPath.get(path) ?? 0) + 1);
  }
  return { perPath, instances };
}

/**
 * Two instances on one PostgreSQL database share one task queue: 500 queued items are each
 * written exactly once, by both instances; when one instance is killed (SIGKILL) with items
 * claimed, the other takes them over after the lease and the task completes.
 */
describe('two instances share the task queue (PostgreSQL)', () => {
  let pg: PostgresServer;
  let work: string;
  let db: string;
  const secrets = { jwt_secret: 'one-secret-for-every-instance', secret_key: randomBytes(32).toString('base64') };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    pg = await startPostgres();
    db = await pg.connectionString();
    work = mkdtempSync(join(tmpdir(), 'filebridge-task-cluster-'));
    mkdirSync(join(work, 'src', 'many'), { recursive: true });
    mkdirSync(join(work, 'src', 'slow'), { recursive: true });
    mkdirSync(join(work, 'dst'));
    for (let i = 0; i < ITEMS; i++) writeFileSync(join(work, 'src', 'many', `f${i}.txt`), `file ${i}\n`.repeat(20));
    for (let i = 0; i < 120; i++) writeFileSync(join(work, 'src', 'slow', `s${i}.bin`), randomBytes(256 * 1024));
    const config = { db, ...secrets, storage_poll_ms: 0, task_poll_ms: 50, task_lease_ms: 2000, task_workers: 3 };
    a = await startTestServer({
      config,
      storages: [
        { mountPath: '/src', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'src') }) },
        { mountPath: '/dst', driver: 'TestCountingWrite', addition: JSON.stringify({ root_folder_path: join(work, 'dst'), log_file: join(work, 'writes.log') }) },
      ],
    });
    b = await startTestServer({ config });
  }, 120_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await pg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs 500 items exactly once between them, both taking part', async () => {
    const api = ApiClient.for(a);
    await api.login();
    const r = await api.post<{ tasks: { id: string }[] }>('/api/fs/copy', { src_dir: '/src', dst_dir: '/dst', names: ['many'] });
    const id = (r.data.tasks[0] as { id: string }).id;
    await waitFor(async () => (await api.post(`/api/task/copy/info?tid=${id}`)).data.state === TaskState.Succeeded, 120_000, 'the task to succeed');
    const { perPath, instances } = writes(join(work, 'writes.log'));
    expect(perPath.size).toBe(ITEMS);
    expect([...perPath.values()].every((n) => n === 1)).toBe(true);
    expect(instances.size).toBe(2);
    // B sees the same task, through its own API.
    const viaB = new ApiClient(b.url, api.token);
    expect((await viaB.post(`/api/task/copy/info?tid=${id}`)).data).toMatchObject({ id, state: TaskState.Succeeded });
  }, 180_000);

  it('hands the claims of an instance killed mid-task to the other after the lease', async () => {
    const api = ApiClient.for(a);
    await api.login();
    // A third instance in a child process takes part, and is killed while it holds claims.
    const third = await startChild(mkdtempSync(join(work, 'data-c-')), { CRASH_DB: db, CRASH_JWT: secrets.jwt_secret, CRASH_SECRET: secrets.secret_key, CRASH_LEASE_MS: '2000' });
    try {
      const r = await new ApiClient(third.url, api.token).post<{ tasks: { id: string }[] }>('/api/fs/copy', { src_dir: '/src', dst_dir: '/dst', names: ['slow'] });
      expect(r.code, r.message).toBe(200);
      const id = (r.data.tasks[0] as { id: string }).id;
      await waitFor(async () => (await api.post(`/api/task/copy/info?tid=${id}`)).data.progress > 10, 60_000, 'progress');
      await kill(third.child);
      await waitFor(async () => (await api.post(`/api/task/copy/info?tid=${id}`)).data.state === TaskState.Succeeded, 120_000, 'the task to succeed');
      for (let i = 0; i < 120; i++) {
        expect(readFileSync(join(work, 'dst', 'slow', `s${i}.bin`)).equals(readFileSync(join(work, 'src', 'slow', `s${i}.bin`)))).toBe(true);
      }
      const { perPath } = writes(join(work, 'writes.log'));
      const slow = [...perPath.entries()].filter(([p]) => p.startsWith('slow/') || p.startsWith('/slow/'));
      expect(slow.length).toBe(120);
    } finally {
      await kill(third.child);
    }
  }, 240_000);
});
