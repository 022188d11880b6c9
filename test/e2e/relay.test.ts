import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRcloneWebdav, type RcloneServer } from '../servers/rclone.js';
import { startS3Server, type S3TestServer } from '../servers/s3.js';
import { startTcpCounter, type TcpCounter } from '../servers/tcp-counter.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const FILES = 5_000;
const POOL = 4;
const run = promisify(execFile);

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Every file below `dir` with its size, by relative path. */
function walk(dir: string, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of walk(join(dir, e.name), rel)) out.set(k, v);
    else out.set(rel, statSync(join(dir, e.name)).size);
  }
  return out;
}

describe(`rclone uploads ${FILES} files through /dav to a WebDav and an S3 mount`, () => {
  let work: string;
  let dav: RcloneServer;
  let s3: S3TestServer;
  let davCounter: TcpCounter;
  let s3Counter: TcpCounter;
  let server: TestServer;
  const expected = new Map<string, number>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-relay-'));
    const src = join(work, 'src');
    for (let i = 0; i < FILES; i++) {
      const rel = `d${i % 20}/f${i}.bin`;
      mkdirSync(join(src, `d${i % 20}`), { recursive: true });
      const size = 100 + (i % 400);
      writeFileSync(join(src, rel), Buffer.alloc(size, i % 251));
      expected.set(rel, size);
    }
    mkdirSync(join(work, 'upstream'));
    dav = await startRcloneWebdav(join(work, 'upstream'));
    s3 = await startS3Server('relay');
    davCounter = await startTcpCounter(dav.port);
    s3Counter = await startTcpCounter(s3.port);
    server = await startTestServer({
      storages: [
        { mountPath: '/wd', driver: 'WebDav', addition: JSON.stringify({ address: davCounter.origin, max_connections: POOL }) },
        {
          mountPath: '/s3', driver: 'S3',
          addition: JSON.stringify({ bucket: s3.bucket, endpoint: s3Counter.origin, region: 'us-east-1', access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, force_path_style: true, list_object_version: 'v1', max_connections: POOL }),
        },
      ],
    });
    expect(server.mounts.list().map((m) => m.status.state)).toEqual(['ready', 'ready']);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await Promise.all([davCounter?.close(), s3Counter?.close(), dav?.close(), s3?.close()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('loses nothing, keeps each upstream within its pool, and does not grow file descriptors', async () => {
    const obscured = (await run('rclone', ['obscure', 'admin-test-pass'])).stdout.trim();
    const remote = (mount: string) => `:webdav,url='${server.url}/dav/${mount}',vendor=other,user=admin,pass=${obscured}:`;
    const baseline = openFds();
    let peakFds = baseline;
    const sampler = setInterval(() => (peakFds = Math.max(peakFds, openFds())), 200);
    davCounter.resetPeak();
    s3Counter.resetPeak();
    const copy = (mount: string) =>
      run('rclone', ['copy', join(work, 'src'), remote(mount), '--transfers', '16', '--checkers', '16', '--retries', '1', '--low-level-retries', '1', '--config', '/dev/null'], {
        env: { ...process.env, AWS_CA_BUNDLE: '' },
        maxBuffer: 64 * 1024 * 1024,
      });
    try {
      await Promise.all([copy('wd'), copy('s3')]);
    } finally {
      clearInterval(sampler);
    }
    expect(walk(join(work, 'upstream'))).toEqual(expected);
    const viaS3 = new Map<string, number>();
    for (const dir of (await server.fs.list('/s3', { refresh: true })).entries) {
      for (const f of (await server.fs.list(dir.path, { refresh: true })).entries) viaS3.set(`${dir.name}/${f.name}`, f.size);
    }
    expect(viaS3).toEqual(expected);
    const counts = { webdav: davCounter.stats(), s3: s3Counter.stats(), fds: { baseline, peak: peakFds } };
    console.log(JSON.stringify(counts));
    expect(counts.webdav.peak).toBeLessThanOrEqual(POOL);
    expect(counts.s3.peak).toBeLessThanOrEqual(POOL);
    // Sockets end for two good reasons: the upstream closes keep-alive sockets (s3rver even busy
    // ones), or the pool closes one idle past its keep-alive timeout. Every connection past the
    // pool size replaces one of those, and there are a handful over the run, never one per file.
    for (const c of [counts.webdav, counts.s3]) {
      expect(c.total).toBeLessThanOrEqual(POOL + c.closedByTarget + c.closedIdleByClient);
      expect(c.total).toBeLessThan(FILES / 100);
    }
    expect(peakFds - baseline).toBeLessThan(200);
  }, 900_000);
});
