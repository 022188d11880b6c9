/**
 * Crypt against the real rclone (Debian's 1.60): a server with a Local mount over a temp folder
 * and Crypt mounts over folders of it, and rclone crypt remotes over the same folders with the
 * same passwords. What Filebridge writes, rclone lists and reads byte-identical, and the other
 * way round, in each file name mode; a Range at the end of a large file reads the right bytes;
 * a wrong password is an error, never garbage.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obscure, OBSCURED_PREFIX } from '../../src/drivers/crypt/keys.js';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;
const PASSWORD = 'interop pässword';
const SALT = 'interop salt';
const AUTH = `Basic ${Buffer.from('admin:admin-test-pass').toString('base64')}`;

/** One file name mode: the Crypt mount's options and the rclone remote's, over the folder `store/<id>`. */
interface Mode {
  id: string;
  crypt: Record<string, string>;
  rclone: Record<string, string>;
}
const MODES: Mode[] = [
  {
    id: 'standard',
    crypt: { filename_encryption: 'standard', directory_name_encryption: 'true', filename_encoding: 'base32' },
    rclone: { filename_encryption: 'standard', directory_name_encryption: 'true', filename_encoding: 'base32' },
  },
  {
    id: 'standard-base64',
    // OpenList's defaults for the encoding (base64) and folder names (in clear).
    crypt: { filename_encryption: 'standard' },
    rclone: { filename_encryption: 'standard', directory_name_encryption: 'false', filename_encoding: 'base64' },
  },
  { id: 'obfuscate', crypt: { filename_encryption: 'obfuscate', directory_name_encryption: 'true' }, rclone: { filename_encryption: 'obfuscate', directory_name_encryption: 'true' } },
  { id: 'off', crypt: { filename_encryption: 'off' }, rclone: { filename_encryption: 'off' } },
];

const NAMES = ['hello.txt', '日本語 ファイル.txt', 'with  two spaces .txt', 'emoji 🎉📁.txt', "it's #1 & more%.txt"];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('Crypt interop with rclone crypt', () => {
  const root = mkdtempSync(join(tmpdir(), 'fb-crypt-rclone-'));
  const store = join(root, 'store');
  const conf = join(root, 'rclone.conf');
  let server: TestServer;
  let api: ApiClient;

  /** Runs rclone with the test's config; resolves its stdout, rejects with its stderr. */
  function rclone(args: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn('rclone', args, { env: { ...process.env, RCLONE_CONFIG: conf }, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`rclone ${args.join(' ')}: exit ${code}: ${Buffer.concat(err).toString()}`))));
    });
  }

  const dav = (path: string) => `${server.url}/dav${path.split('/').map(encodeURIComponent).join('/')}`;
  async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
    const res = await fetch(dav(path), { headers: { authorization: AUTH, ...headers } });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  }
  async function list(path: string): Promise<{ name: string; size: number; is_dir: boolean }[]> {
    const r = await api.post('/api/fs/list', { path, refresh: true });
    expect(r.code, r.message).toBe(200);
    return (r.data.content ?? []).map((o: { name: string; size: number; is_dir: boolean }) => ({ name: o.name, size: o.size, is_dir: o.is_dir }));
  }
  /** rclone's recursive listing: "path;size" lines, folders as "path/;-1". */
  async function lsf(remote: string): Promise<string[]> {
    return (await rclone(['lsf', '-R', '--format', 'ps', `${remote}:`])).toString().split('\n').filter(Boolean).sort();
  }

  beforeAll(async () => {
    mkdirSync(store, { recursive: true });
    const sections: string[] = [];
    const obscured = async (s: string) => (await rclone(['obscure', s])).toString().trim();
    writeFileSync(conf, '');
    const pass = await obscured(PASSWORD);
    const salt = await obscured(SALT);
    const wrong = await obscured('not the password');
    for (const m of MODES) {
      mkdirSync(join(store, m.id));
      const opts = Object.entries(m.rclone).map(([k, v]) => `${k} = ${v}`);
      sections.push([`[r-${m.id}]`, 'type = crypt', `remote = ${join(store, m.id)}`, `password = ${pass}`, `password2 = ${salt}`, ...opts].join('\n'));
    }
    sections.push(['[r-wrong]', 'type = crypt', `remote = ${join(store, 'off')}`, `password = ${wrong}`, `password2 = ${salt}`, 'filename_encryption = off'].join('\n'));
    writeFileSync(conf, `${sections.join('\n\n')}\n`);
    const mount = (mountPath: string, remote: string, extra: Record<string, string>, password = PASSWORD) => ({
      mountPath,
      driver: 'Crypt',
      cacheExpiration: 0,
      // The salt as OpenList stores it (rclone-obscured, marked), the password in clear.
      addition: JSON.stringify({ remote_path: remote, password, salt: OBSCURED_PREFIX + obscure(SALT), ...extra }),
    });
    server = await startTestServer({
      storages: [
        { mountPath: '/plain', driver: 'Local', cacheExpiration: 0, addition: JSON.stringify({ root_folder_path: store }) },
        ...MODES.map((m) => mount(`/c-${m.id}`, `/plain/${m.id}`, m.crypt)),
        mount('/wrong-off', '/plain/off', { filename_encryption: 'off' }, 'not the password'),
        mount('/wrong-std', '/plain/standard', MODES[0]!.crypt, 'not the password'),
      ],
    });
    api = ApiClient.for(server);
    await api.login();
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it.for(MODES)('$id: files written through Filebridge are listed and read byte-identical by rclone', async (m) => {
    const files = new Map<string, Buffer>();
    NAMES.forEach((n, i) => files.set(`fb/${n}`, randomBytes(100 + i * 70_000)));
    files.set('fb/empty', Buffer.alloc(0));
    files.set('fb/dir one/ünïcode sub/inner.txt', Buffer.from('inner file\n'));
    for (const [path, data] of files) {
      const r = await api.put(`/c-${m.id}/${path}`, data);
      expect(r.code, `${path}: ${r.message}`).toBe(200);
    }
    const listed = (await lsf(`r-${m.id}`)).filter((l) => l.startsWith('fb/'));
    expect(listed).toEqual(['fb/;-1', 'fb/dir one/;-1', 'fb/dir one/ünïcode sub/;-1', ...[...files].map(([p, d]) => `${p};${d.length}`)].sort());
    for (const [path, data] of files) {
      const back = await rclone(['cat', `r-${m.id}:${path}`]);
      expect(sha(back), path).toBe(sha(data));
    }
    // A rename through Filebridge is what rclone sees.
    const renamed = await api.post('/api/fs/rename', { path: `/c-${m.id}/fb/hello.txt`, name: 'renamed ✓.txt' });
    expect(renamed.code, renamed.message).toBe(200);
    expect((await lsf(`r-${m.id}`)).filter((l) => l.startsWith('fb/renamed') || l.startsWith('fb/hello'))).toEqual([`fb/renamed ✓.txt;${files.get('fb/hello.txt')!.length}`]);
  });

  it.for(MODES)('$id: files written by rclone are listed and read by Filebridge', async (m) => {
    const src = join(root, `src-${m.id}`);
    mkdirSync(join(src, 'rc', 'sub dir ü'), { recursive: true });
    const files = new Map<string, Buffer>();
    NAMES.forEach((n, i) => files.set(`rc/${n}`, randomBytes(1 + i * 50_000)));
    files.set('rc/empty', Buffer.alloc(0));
    files.set('rc/sub dir ü/ファイル.bin', randomBytes(65_536 * 2));
    for (const [p, d] of files) writeFileSync(join(src, p), d);
    await rclone(['copy', src, `r-${m.id}:`]);
    const top = await list(`/c-${m.id}/rc`);
    const want = [...files].filter(([p]) => !p.startsWith('rc/sub')).map(([p, d]) => ({ name: p.slice(3), size: d.length, is_dir: false }));
    expect(top.sort((a, b) => a.name.localeCompare(b.name))).toEqual([...want, { name: 'sub dir ü', size: 0, is_dir: true }].sort((a, b) => a.name.localeCompare(b.name)));
    for (const [p, d] of files) {
      const r = await get(`/c-${m.id}/${p}`);
      expect(r.status, p).toBe(200);
      expect(sha(r.body), p).toBe(sha(d));
    }
  });

  it('a large sparse-ish file: whole and Range reads at its end, both ways (48 MiB, scaled down from 1 GiB)', async () => {
    const size = 48 * MiB + 12_345;
    const local = join(root, 'big-src');
    mkdirSync(local);
    // Mostly zeros (a sparse file on disk), with random bytes around chunk edges and at the end.
    const fd = openSync(join(local, 'big.bin'), 'w');
    const marks = [0, 64 * 1024 - 10, 20 * MiB + 3, size - 70_000];
    for (const at of marks) writeSync(fd, randomBytes(Math.min(70_000, size - at)), 0, Math.min(70_000, size - at), at);
    writeSync(fd, Buffer.from('END'), 0, 3, size - 3);
    closeSync(fd);
    const data = readFileSync(join(local, 'big.bin'));
    expect(data.length).toBe(size);

    // rclone writes, Filebridge reads.
    await rclone(['copy', local, 'r-standard:big']);
    const whole = await get('/c-standard/big/big.bin');
    expect(whole.status).toBe(200);
    expect(sha(whole.body)).toBe(sha(data));
    for (const [start, end] of [[size - 1000, size - 1], [size - 3, size - 1], [64 * 1024 - 5, 64 * 1024 + 5], [20 * MiB, 20 * MiB + 200_000]] as const) {
      const r = await get('/c-standard/big/big.bin', { range: `bytes=${start}-${end}` });
      expect(r.status, `${start}-${end}`).toBe(206);
      expect(r.body.equals(data.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
    const suffix = await get('/c-standard/big/big.bin', { range: 'bytes=-3' });
    expect(suffix.body.toString()).toBe('END');

    // Filebridge writes, rclone reads (whole, and at the end with --offset).
    const up = await api.put('/c-standard/big/from-fb.bin', data);
    expect(up.code, up.message).toBe(200);
    expect(sha(await rclone(['cat', 'r-standard:big/from-fb.bin']))).toBe(sha(data));
    const tail = await rclone(['cat', '--offset', String(size - 5000), '--count', '5000', 'r-standard:big/from-fb.bin']);
    expect(tail.equals(data.subarray(size - 5000))).toBe(true);
    expect((await lsf('r-standard')).filter((l) => l.startsWith('big/'))).toEqual(['big/;-1', `big/big.bin;${size}`, `big/from-fb.bin;${size}`]);
  });

  it('a wrong password is a clear error, never garbage bytes', async () => {
    const secret = Buffer.from('the plain text nobody may see\n');
    writeFileSync(join(root, 'secret.txt'), secret);
    await rclone(['copyto', join(root, 'secret.txt'), 'r-off:wp/secret.txt']);
    // Names in clear (mode off): listed, sizes right, but the content does not open.
    expect(await list('/wrong-off/wp')).toEqual([{ name: 'secret.txt', size: secret.length, is_dir: false }]);
    const r = await get('/wrong-off/wp/secret.txt');
    // permission_denied (403): the key does not open the file. Not an upstream failure, so the
    // mount stays up (a damaged file must not take the whole mount down).
    expect(r.status).toBe(403);
    expect(r.body.toString()).not.toContain('plain text');
    expect(r.body.toString()).toMatch(/wrong password/);
    const ranged = await get('/wrong-off/wp/secret.txt', { range: 'bytes=5-9' });
    expect(ranged.status).toBe(403);
    const viaApi = await api.post('/api/fs/get', { path: '/wrong-off/wp/secret.txt' });
    expect(viaApi.code).toBe(200); // metadata needs no key; the bytes do
    // rclone with the wrong password fails on the file too (1.60 says "unexpected EOF").
    await expect(rclone(['cat', 'r-wrong:wp/secret.txt'])).rejects.toThrow(/exit/);
    // Encrypted names with the wrong key do not decrypt: the folder shows nothing of the other key's files.
    expect((await list('/wrong-std')).length).toBe(0);
  });
});
