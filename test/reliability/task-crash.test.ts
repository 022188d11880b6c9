import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main.js';
import { TaskState } from '../../src/tasks/states.js';
import { ApiClient } from '../helpers/api.js';
import { testConfig, waitFor } from '../helpers/server.js';
import { type RcloneServer, startRcloneWebdav } from '../servers/rclone.js';
import { type S3TestServer, startS3Server } from '../servers/s3.js';
import { kill, startChild } from './task-child.js';

const FILES = 240;
const FILE_BYTES = 96 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A copy of a tree to a WebDAV storage (rclone serve webdav) and to an S3 storage (s3rver) runs
 * as one task; the server is killed with SIGKILL at 30%, 60% and 90% of the bytes and started
 * again each time: the task completes by itself, every file arrives once with the right bytes,
 * and no temporary object of an interrupted upload is left upstream.
 */
describe('a copy task survives kill -9 of the server', () => {
  let work: string;
  let rclone: RcloneServer;
  let s3: S3TestServer;
  let expected: Map<string, string>;
  let current: ChildProcess | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-task-crash-'));
    const src = join(work, 'src', 'tree');
    expected = new Map();
    for (let i = 0; i < FILES; i++) {
      const rel = `d${i % 6}/sub${i % 4}/f${i}.bin`;
      mkdirSync(join(src, rel, '..'), { recursive: true });
      const body = randomBytes(FILE_BYTES + i);
      writeFileSync(join(src, rel), body);
      expected.set(rel, sha(body));
    }
    mkdirSync(join(work, 'dav'));
    rclone = await startRcloneWebdav(join(work, 'dav'));
    s3 = await startS3Server('crash-bucket');
  }, 60_000);

  afterAll(async () => {
    if (current) await kill(current);
    await rclone?.close();
    await s3?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function runWithKills(data: string, dst: string): Promise<{ kills: number; info: { state: number; error: string } }> {
    let started = await startChild(data);
    current = started.child;
    let api = new ApiClient(started.url);
    await api.login();
    const r = await api.post<{ tasks: { id: string }[] }>('/api/fs/copy', { src_dir: '/src', dst_dir: dst, names: ['tree'] });
    expect(r.code).toBe(200);
    const id = (r.data.tasks[0] as { id: string }).id;
    let kills = 0;
    for (const at of [30, 60, 90]) {
      await waitFor(async () => ((await api.post<{ progress: number }>(`/api/task/copy/info?tid=${id}`)).data?.progress ?? 0) >= at, 60_000, `${at}%`);
      await kill(started.child);
      kills++;
      started = await startChild(data);
      current = started.child;
      api = new ApiClient(started.url);
      await api.login();
    }
    let info = { state: -1, error: '' };
    try {
      await waitFor(
        async () => {
          info = (await api.post<{ state: number; error: string }>(`/api/task/copy/info?tid=${id}`)).data;
          return info.state === TaskState.Succeeded || info.state === TaskState.Failed;
        },
        180_000,
        'the task to finish',
      );
    } catch (err) {
      // What the server said while the task did not finish, for the one reading the failure.
      const log = join(data, 'child.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-80).join('\n') : '(no log)';
      console.error(`task ${id} not finished: ${JSON.stringify(info)}\n${tail}`);
      throw err;
    }
    await kill(started.child);
    current = undefined;
    return { kills, info };
  }

  function prepare(name: string, storage: { driver: string; addition: Record<string, unknown> }) {
    const data = join(work, name);
    return (async () => {
      const { database, repos } = await openDatabase(testConfig(data));
      await repos.storages.create({ mountPath: '/src', driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, 'src') }) });
      await repos.storages.create({ mountPath: '/dst', driver: storage.driver, addition: JSON.stringify(storage.addition) });
      await database.close();
      return data;
    })();
  }

  it('to WebDAV: completes after three kills, every file once and whole, no temp file left', async () => {
    const data = await prepare('data-dav', { driver: 'WebDav', addition: { address: rclone.url } });
    const { kills, info } = await runWithKills(data, '/dst');
    expect(kills).toBe(3);
    expect(info).toMatchObject({ state: TaskState.Succeeded, error: '' });
    const root = join(work, 'dav', 'tree');
    const got = new Map<string, string>();
    const stray: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const r = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) walk(join(dir, e.name), r);
        else if (expected.has(r)) got.set(r, sha(readFileSync(join(dir, e.name))));
        else stray.push(r);
      }
    };
    walk(root, '');
    expect(stray).toEqual([]);
    expect(got).toEqual(expected);
  }, 420_000);

  it('to S3: completes after three kills, every object once and whole, nothing else in the bucket', async () => {
    const data = await prepare('data-s3', {
      driver: 'S3',
      addition: { bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, force_path_style: true },
    });
    const { kills, info } = await runWithKills(data, '/dst');
    expect(kills).toBe(3);
    expect(info).toMatchObject({ state: TaskState.Succeeded, error: '' });
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    const files = keys.filter((k) => !k.endsWith('/') && !k.endsWith('/.placeholder'));
    expect(files.sort()).toEqual([...expected.keys()].map((k) => `tree/${k}`).sort());
    for (const k of files) {
      const body = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: k }))).Body!.transformToByteArray());
      expect(sha(body)).toBe(expected.get(k.slice('tree/'.length)));
    }
    client.destroy();
  }, 420_000);
});
