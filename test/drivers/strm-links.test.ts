/**
 * Strm as a media server sees it, through a real server: a .strm read through the AList API
 * (/api/fs/get, then its raw_url on /d) and through WebDAV holds a URL that downloads the media
 * file's bytes with Range, expires as signed links do, and stops working once the media file's
 * folder gets a password. And SaveStrmToLocal mirrors a listed folder into a local one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';

const MOVIE = randomBytes(300_000);
const SUBTITLE = '1\n00:00:01,000 --> 00:00:02,000\nhello\n';

describe('Strm: links a media server follows', () => {
  let root: string;
  let mirror: string;
  let server: TestServer;
  let admin: ApiClient;
  const davAuth = { authorization: `Basic ${Buffer.from('admin:admin-test-pass').toString('base64')}` };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-strm-links-'));
    mirror = await mkdtemp(path.join(os.tmpdir(), 'filebridge-strm-local-'));
    await mkdir(path.join(root, 'movies', 'extras'), { recursive: true });
    await writeFile(path.join(root, 'movies', 'The Film (2020).mkv'), MOVIE);
    await writeFile(path.join(root, 'movies', 'The Film (2020).srt'), SUBTITLE);
    await writeFile(path.join(root, 'movies', 'notes.txt'), 'not media');
    await writeFile(path.join(root, 'movies', 'extras', 'tiny.mp4'), 'x');
    // Caching off, as OpenList's Strm is never cached: a .strm's size follows its URL at once.
    server = await startTestServer({
      storages: [
        { mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) },
        { mountPath: '/strm', driver: 'Strm', cacheExpiration: 0, addition: JSON.stringify({ paths: '/local/movies' }) },
        {
          mountPath: '/mirrored',
          driver: 'Strm',
          cacheExpiration: 0,
          addition: JSON.stringify({ paths: '/local/movies', minFileSize: 0, SaveStrmToLocal: true, SaveStrmLocalPath: mirror, SaveLocalMode: 'sync' }),
        },
      ],
    });
    admin = ApiClient.for(server);
    await admin.login();
  });

  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
    await rm(mirror, { recursive: true, force: true });
  });

  /** The URL a client finds in the .strm, read the AList way: /api/fs/get, then raw_url. */
  async function strmViaApi(p: string): Promise<string> {
    const got = await admin.post('/api/fs/get', { path: p });
    expect(got.code).toBe(200);
    const res = await fetch(got.data.raw_url as string);
    expect(res.status).toBe(200);
    return res.text();
  }

  async function strmViaDav(p: string): Promise<string> {
    const res = await fetch(`${server.url}/dav${p.split('/').map(encodeURIComponent).join('/')}`, { headers: davAuth });
    expect(res.status).toBe(200);
    return res.text();
  }

  it('lists media as .strm, subtitles as they are, other files hidden', async () => {
    const listed = await admin.post('/api/fs/list', { path: '/strm' });
    expect(listed.code).toBe(200);
    const names = (listed.data.content as { name: string }[]).map((c) => c.name).sort();
    expect(names).toEqual(['The Film (2020).srt', 'The Film (2020).strm', 'extras']);
    const sub = await fetch(`${server.url}/dav/strm/${encodeURIComponent('The Film (2020).srt')}`, { headers: davAuth });
    expect(await sub.text()).toBe(SUBTITLE);
  });

  it('a .strm read through the API and through WebDAV holds a signed URL that downloads the film, Range included', async () => {
    const viaApi = await strmViaApi('/strm/The Film (2020).strm');
    const viaDav = await strmViaDav('/strm/The Film (2020).strm');
    for (const url of [viaApi, viaDav]) {
      expect(url).toMatch(new RegExp(`^${server.url}/d/local/movies/The%20Film%20%282020%29\\.mkv\\?sign=[A-Za-z0-9_=-]+:\\d+$`));
      const whole = await fetch(url);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(MOVIE)).toBe(true);
      const part = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(MOVIE.subarray(1000, 2000))).toBe(true);
    }
    // The sign is the one /d checks: a forged one is refused.
    expect((await fetch(viaApi.replace(/sign=[^:]+/, 'sign=forged'))).status).toBe(401);
  });

  it('the URL expires as signed links do (link_expiration)', async () => {
    expect((await admin.post('/api/admin/setting/save', [{ key: 'link_expiration', value: '0.0005' }])).code).toBe(200);
    try {
      const url = await strmViaDav('/strm/The Film (2020).strm');
      const expire = Number(url.slice(url.lastIndexOf(':') + 1));
      expect(expire).toBeGreaterThan(0);
      await waitFor(() => Date.now() / 1000 > expire + 1, 10_000, 'the link to expire');
      const late = await fetch(url);
      expect(late.status).toBe(401);
      expect(await late.text()).toContain('sign expired');
    } finally {
      await admin.post('/api/admin/setting/save', [{ key: 'link_expiration', value: '24' }]);
    }
  });

  it('SaveStrmToLocal mirrors a listed folder: .strm files with their URL, subtitles copied, and sync deletes what went away', async () => {
    expect((await admin.post('/api/fs/list', { path: '/mirrored' })).code).toBe(200);
    const local = path.join(mirror, 'movies');
    await waitFor(() => existsSync(path.join(local, 'The Film (2020).srt')), 10_000, 'the mirror');
    expect(await readFile(path.join(local, 'The Film (2020).strm'), 'utf8')).toMatch(/\/d\/local\/movies\/The%20Film%20%282020%29\.mkv\?sign=/);
    expect(await readFile(path.join(local, 'The Film (2020).srt'), 'utf8')).toBe(SUBTITLE);
    expect(existsSync(path.join(local, 'notes.txt'))).toBe(false);
    await writeFile(path.join(local, 'stale.strm'), 'http://gone');
    await server.fs.remove('/local/movies/The Film (2020).srt');
    expect((await admin.post('/api/fs/list', { path: '/mirrored', refresh: true })).code).toBe(200);
    await waitFor(() => !existsSync(path.join(local, 'stale.strm')), 10_000, 'sync to delete');
    expect(existsSync(path.join(local, 'The Film (2020).srt'))).toBe(false);
    expect(existsSync(path.join(local, 'The Film (2020).strm'))).toBe(true);
  });

  it('stops working when the film\'s folder gets a password; new .strm files carry no usable link either', async () => {
    const before = await strmViaApi('/strm/The Film (2020).strm');
    expect((await fetch(before, { headers: { range: 'bytes=0-9' } })).status).toBe(206);
    const meta = await admin.post('/api/admin/meta/create', { path: '/local/movies', password: 'film-secret', p_sub: true });
    expect(meta.code).toBe(200);
    const refused = await fetch(before);
    expect(refused.status).toBe(401);
    const after = await strmViaDav('/strm/The Film (2020).strm');
    expect(after).not.toContain('sign=');
    expect((await fetch(after)).status).toBe(401);
  });
});
