import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPath } from '../../src/auth/sign.js';
import { waitFor } from '../helpers/server.js';
import { ADMIN, basic, startDavServer } from './webdav-helpers.js';

/**
 * A Local file is sent on three doors (WebDAV GET, /d and /p) by one path that reads large chunks
 * into reused buffers: bytes must come out exact whatever the range, with downloads running side by
 * side, and a download the client abandons must give its file back.
 */
describe('Local files on WebDAV, /d and /p', () => {
  let ctx: Awaited<ReturnType<typeof startDavServer>>;
  let key: string;
  // Several of the driver's 512 KiB reads, the last one partial.
  const big = randomBytes(3 * 1024 * 1024 + 12_345);
  const mid = randomBytes(700 * 1024);

  beforeAll(async () => {
    ctx = await startDavServer();
    writeFileSync(join(ctx.root, 'big.bin'), big);
    writeFileSync(join(ctx.root, 'mid.bin'), mid);
    writeFileSync(join(ctx.root, 'empty.bin'), Buffer.alloc(0));
    key = ctx.server.settings.get('sign_key');
  });
  afterAll(async () => ctx?.stop());

  const DOORS = ['dav', 'd', 'p'] as const;
  type Door = (typeof DOORS)[number];
  const target = (door: Door, path: string): { url: string; headers: Record<string, string> } =>
    door === 'dav'
      ? { url: `${ctx.server.url}/dav${path}`, headers: { authorization: basic(ADMIN.user, ADMIN.pass) } }
      : { url: `${ctx.server.url}/${door}${path}?sign=${encodeURIComponent(signPath(key, path, 0))}`, headers: {} };
  const get = async (door: Door, path: string, range?: string) => {
    const t = target(door, path);
    const res = await fetch(t.url, { headers: { ...t.headers, ...(range ? { range } : {}) } });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('sends whole files and ranges (across read chunks, at their edges, suffixes) byte for byte', async () => {
    const chunk = 512 * 1024;
    const ranges: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      [`bytes=${chunk - 1}-${chunk}`, chunk - 1, chunk],
      ['bytes=100000-2000000', 100_000, 2_000_000],
      ['bytes=-70000', big.length - 70_000, big.length - 1],
      [`bytes=${3 * chunk}-`, 3 * chunk, big.length - 1],
    ];
    for (const door of DOORS) {
      const whole = await get(door, '/big.bin');
      expect(whole.res.status).toBe(200);
      expect(whole.res.headers.get('content-length')).toBe(String(big.length));
      expect(sha(whole.body)).toBe(sha(big));
      for (const [range, start, end] of ranges) {
        const part = await get(door, '/big.bin', range);
        expect(part.res.status, `${door} ${range}`).toBe(206);
        expect(part.res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${big.length}`);
        expect(sha(part.body), `${door} ${range}`).toBe(sha(big.subarray(start, end + 1)));
      }
      const empty = await get(door, '/empty.bin');
      expect(empty.res.status).toBe(200);
      expect(empty.body.length).toBe(0);
    }
  });

  it('downloads side by side (sharing the read buffers) each get their own bytes', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => {
      const door = DOORS[i % 3] as Door;
      const [path, data] = i % 2 === 0 ? ['/big.bin', big] : ['/mid.bin', mid];
      const start = (i * 77_777) % 300_000;
      return { door, path, expected: data.subarray(start), range: `bytes=${start}-` };
    });
    const got = await Promise.all(jobs.map((j) => get(j.door, j.path, j.range)));
    got.forEach((g, i) => expect(sha(g.body), `${jobs[i]?.door} ${jobs[i]?.path}`).toBe(sha(jobs[i]?.expected ?? Buffer.alloc(0))));
  });

  /** This process's descriptors open on `file` (the server runs in this process). */
  const openOn = (file: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    }).length;

  it('a download broken off by the client gives its file back, on each door', async () => {
    const file = realpathSync(join(ctx.root, 'big.bin'));
    for (const door of DOORS) {
      const t = target(door, '/big.bin');
      await new Promise<void>((resolve, reject) => {
        const req = http.get(t.url, { headers: t.headers, agent: false }, (res) => {
          res.once('data', () => {
            // Mid-download: the file is open for this response now...
            expect(openOn(file)).toBe(1);
            req.destroy();
            resolve();
          });
          res.once('error', () => undefined);
        });
        req.once('error', (err) => (req.destroyed ? undefined : reject(err)));
      });
      // ...and closed once the server has seen the client go.
      await waitFor(() => openOn(file) === 0, 10_000, `${door}: the file to be closed`);
    }
  });
});
