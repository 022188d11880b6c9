import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../servers/litmus.js';
import { ADMIN, startDavServer } from './webdav-helpers.js';

interface Run {
  code: number | null;
  out: string;
}

function run(cmd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...options.env }, cwd: options.cwd });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(options.input ?? '');
  });
}

describe('rclone and cadaver against /dav', () => {
  let stop: () => Promise<void>;
  let root: string;
  let url: string;
  let work: string;
  let remote: (vendor: string) => string;

  beforeAll(async () => {
    requireBinary('rclone');
    requireBinary('cadaver');
    const s = await startDavServer();
    [stop, root, url] = [s.stop, s.root, s.server.url];
    work = mkdtempSync(join(tmpdir(), 'filebridge-rclone-'));
    const obscured = (await run('rclone', ['obscure', ADMIN.pass])).out.trim();
    remote = (vendor) => `:webdav,url='${url}/dav',vendor=${vendor},user=${ADMIN.user},pass=${obscured}:`;
    const src = join(work, 'src');
    mkdirSync(join(src, 'sub dir', 'deeper'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'alpha');
    writeFileSync(join(src, 'sub dir', 'ünï cødé #1 %.txt'), 'unicode');
    writeFileSync(join(src, 'sub dir', 'deeper', 'big.bin'), Buffer.alloc(300_000, 7));
    writeFileSync(join(src, 'empty.txt'), '');
    utimesSync(join(src, 'a.txt'), new Date('2021-02-03T04:05:06Z'), new Date('2021-02-03T04:05:06Z'));
  });
  afterAll(async () => {
    await stop?.();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const rclone = (...args: string[]) => run('rclone', ['--retries', '1', ...args], { env: { RCLONE_CONFIG: '/dev/null' } });

  it('copy, then check finds no differences', async () => {
    const c = await rclone('copy', join(work, 'src'), remote('other') + 'copy');
    expect(c.code, c.out).toBe(0);
    expect(readFileSync(join(root, 'copy', 'sub dir', 'ünï cødé #1 %.txt'), 'utf8')).toBe('unicode');
    const chk = await rclone('check', join(work, 'src'), remote('other') + 'copy');
    expect(chk.code, chk.out).toBe(0);
    expect(chk.out).toContain('0 differences found');
  });

  it('lsjson lists names, sizes and folders', async () => {
    const r = await rclone('lsjson', '-R', remote('other') + 'copy');
    expect(r.code, r.out).toBe(0);
    const items = JSON.parse(r.out.slice(r.out.indexOf('['))) as { Path: string; Size: number; IsDir: boolean }[];
    const byPath = Object.fromEntries(items.map((i) => [i.Path, i]));
    expect(byPath['sub dir/ünï cødé #1 %.txt']?.Size).toBe(7);
    expect(byPath['sub dir/deeper/big.bin']?.Size).toBe(300_000);
    expect(byPath['sub dir']?.IsDir).toBe(true);
    expect(byPath['empty.txt']?.Size).toBe(0);
  });

  it('sync removes what the source no longer has', async () => {
    rmSync(join(work, 'src', 'empty.txt'));
    writeFileSync(join(work, 'src', 'new.txt'), 'new');
    const r = await rclone('sync', join(work, 'src'), remote('other') + 'copy');
    expect(r.code, r.out).toBe(0);
    expect(existsSync(join(root, 'copy', 'empty.txt'))).toBe(false);
    expect(readFileSync(join(root, 'copy', 'new.txt'), 'utf8')).toBe('new');
  });

  it('mkdir, move, delete and purge', async () => {
    expect((await rclone('mkdir', remote('other') + 'made/inner')).code).toBe(0);
    expect(statSync(join(root, 'made', 'inner')).isDirectory()).toBe(true);
    const mv = await rclone('move', remote('other') + 'copy/sub dir', remote('other') + 'made/moved');
    expect(mv.code, mv.out).toBe(0);
    expect(readFileSync(join(root, 'made', 'moved', 'deeper', 'big.bin')).length).toBe(300_000);
    expect(existsSync(join(root, 'copy', 'sub dir', 'deeper', 'big.bin'))).toBe(false);
    expect((await rclone('delete', remote('other') + 'made/moved')).code).toBe(0);
    expect(existsSync(join(root, 'made', 'moved', 'deeper', 'big.bin'))).toBe(false);
    expect((await rclone('purge', remote('other') + 'made')).code).toBe(0);
    expect(existsSync(join(root, 'made'))).toBe(false);
  });

  it('preserves modification times with owncloud-style X-OC-Mtime', async () => {
    const r = await rclone('copy', join(work, 'src', 'a.txt'), remote('owncloud') + 'mtime');
    expect(r.code, r.out).toBe(0);
    expect(statSync(join(root, 'mtime', 'a.txt')).mtime.toISOString()).toBe('2021-02-03T04:05:06.000Z');
    const ls = await rclone('lsjson', remote('owncloud') + 'mtime');
    expect(ls.out).toContain('"ModTime":"2021-02-03T04:05:06Z"');
  });

  it('cadaver (scripted): mkcol, put, ls, get, copy, move, lock, unlock, delete', async () => {
    const home = join(work, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.netrc'), `machine 127.0.0.1\nlogin ${ADMIN.user}\npassword ${ADMIN.pass}\n`, { mode: 0o600 });
    writeFileSync(join(home, 'up.txt'), 'cadaver upload');
    const script = ['mkcol cad', 'cd cad', 'put up.txt', 'ls', 'copy up.txt copy.txt', 'move copy.txt moved.txt', 'lock up.txt', 'unlock up.txt', 'get moved.txt down.txt', 'delete up.txt', 'propset moved.txt color blue', 'propget moved.txt color', 'quit', ''].join('\n');
    const r = await run('cadaver', [`${url}/dav/`], { input: script, env: { HOME: home }, cwd: home });
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/failed:/i);
    expect(readFileSync(join(home, 'down.txt'), 'utf8')).toBe('cadaver upload');
    expect(existsSync(join(root, 'cad', 'up.txt'))).toBe(false);
    expect(readFileSync(join(root, 'cad', 'moved.txt'), 'utf8')).toBe('cadaver upload');
    expect(r.out).toContain('blue');
  });
});
