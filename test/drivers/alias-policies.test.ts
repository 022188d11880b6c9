/**
 * Alias mounts of a real server over two Local mounts (/a and /b): listings merge, reads, writes
 * and changes go where the read, write and put conflict policies say (checked on disk), file names
 * are escaped, unsupported choices and storages that reach themselves are refused.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFsError } from '../../src/core/errors.js';
import { bodyOf, readAll } from '../conformance/helpers.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const work = mkdtempSync(join(tmpdir(), 'filebridge-alias-policies-'));
const A = join(work, 'a');
const B = join(work, 'b');

/** Files to lay out before the server starts: path below the work folder → content (a trailing "/" makes a folder). */
const FILES: Record<string, string> = {};
const lay = (prefix: string, entries: Record<string, string>) => {
  for (const [p, c] of Object.entries(entries)) FILES[join(prefix, p)] = c;
};
lay('a/merge', { 'same.txt': 'from a', 'only-a.txt': 'a', 'sub/x.txt': 'x' });
lay('b/merge', { 'same.txt': 'from b!!', 'only-b.txt': 'b', 'sub/y.txt': 'y', 'bdir/': '' });
for (const r of ['first', 'random', 'all']) {
  lay(`a/read-${r}`, { 'dup.txt': 'AAAA', 'diff.txt': 'AAAA' });
  lay(`b/read-${r}`, { 'dup.txt': 'BBBB', 'diff.txt': 'BBBBBB' });
}
for (const p of ['first', 'all', 'all_strict', 'deterministic', 'random']) {
  lay(`a/put-${p}`, { 'both/': '' });
  lay(`b/put-${p}`, { 'both/': '', 'onlyb/': '' });
}
lay('a/doa', { 'all3/': '', 'two/': '' });
lay('b/doa', { 'all3/': '', 'two/': '', 'one/': '' });
lay('a/doa-3', { 'all3/': '' });
for (const w of ['first', 'all', 'deterministic', 'all_strict']) {
  lay(`a/w-${w}`, { 'dup.txt': 'a dup', 'r.txt': 'a r', 'd/': '' });
  lay(`b/w-${w}`, { 'dup.txt': 'b dup', 'r.txt': 'b r', 'only-b.txt': 'b only', 'd/': '' });
}
lay('a/check', { 'diff.txt': 'AAAA' });
lay('b/check', { 'diff.txt': 'BBBBBB' });
for (const m of ['mv-all', 'mv-first']) {
  lay(`a/${m}`, { 'src/f.txt': 'a f', 'dst/': '' });
  lay(`b/${m}`, { 'src/f.txt': 'b f', 'dst/': '' });
}
lay('a/esc', { 'old?.txt': 'unescaped' });

const alias = (mountPath: string, options: Record<string, unknown>) => ({ mountPath, driver: 'Alias', cacheExpiration: 0, addition: JSON.stringify(options) });
const merged = (name: string, options: Record<string, unknown> = {}) => alias(`/al-${name}`, { paths: `/a/${name}\n/b/${name}`, ...options });

describe('Alias over two Local mounts', () => {
  let server: TestServer;

  beforeAll(async () => {
    for (const [p, c] of Object.entries(FILES)) {
      const full = join(work, p);
      if (p.endsWith('/')) mkdirSync(full, { recursive: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, c);
      }
    }
    const storages = [
      { mountPath: '/a', driver: 'Local', cacheExpiration: 0, addition: JSON.stringify({ root_folder_path: A }) },
      { mountPath: '/b', driver: 'Local', cacheExpiration: 0, addition: JSON.stringify({ root_folder_path: B }) },
      merged('merge'),
      alias('/al-multi', { paths: 'docs:/a/merge\nextra:/b/merge', put_conflict_policy: 'all', write_conflict_policy: 'all' }),
      ...['first', 'random', 'all'].map((r) => merged(`read-${r}`, { read_conflict_policy: r })),
      ...['first', 'all', 'all_strict', 'deterministic', 'random'].map((p) => merged(`put-${p}`, { put_conflict_policy: p })),
      alias('/al-doa', { paths: 'k:/a/doa\nk:/b/doa\nk:/a/doa-3', put_conflict_policy: 'deterministic_or_all' }),
      ...['first', 'all', 'deterministic', 'all_strict'].map((w) => merged(`w-${w}`, { write_conflict_policy: w })),
      merged('check', { write_conflict_policy: 'all', file_consistency_check: true }),
      merged('mv-all', { put_conflict_policy: 'all', write_conflict_policy: 'all' }),
      merged('mv-first', { put_conflict_policy: 'first', write_conflict_policy: 'first' }),
      alias('/al-esc', { paths: '/a/esc', put_conflict_policy: 'first', write_conflict_policy: 'first', filename_escape: true, filename_escape_chars: '?' }),
      alias('/al-quota', { paths: '/a/merge', put_conflict_policy: 'quota' }),
      alias('/al-concurrency', { paths: '/a/merge', download_concurrency: 4 }),
      alias('/al-self', { paths: '/al-self/inside' }),
      alias('/al-x', { paths: '/al-y' }),
      alias('/al-y', { paths: '/al-x' }),
    ];
    server = await startTestServer({ storages });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const names = async (path: string) => (await server.fs.list(path)).entries.map((e) => e.name).sort();
  const text = async (path: string) => (await readAll((await server.fs.read(path)).stream)).toString();
  const put = (path: string, data: string) => server.fs.write(path, bodyOf(data), { size: data.length });
  const disk = (p: string) => (existsSync(join(work, p)) ? readFileSync(join(work, p), 'utf8') : undefined);
  const codeOf = async (work: Promise<unknown>) => work.then(() => 'ok', (err: unknown) => (isFsError(err) ? err.code : String(err)));
  const status = (mountPath: string) => server.mounts.list().find((m) => m.spec.mountPath === mountPath)?.status;

  describe('listing and reading', () => {
    it('merges the folders: the first path wins a name, same-named folders merge too', async () => {
      expect(await names('/al-merge')).toEqual(['bdir', 'only-a.txt', 'only-b.txt', 'same.txt', 'sub']);
      expect((await server.fs.stat('/al-merge/same.txt')).size).toBe('from a'.length);
      expect(await text('/al-merge/same.txt')).toBe('from a');
      expect(await text('/al-merge/only-b.txt')).toBe('b');
      expect(await names('/al-merge/sub')).toEqual(['x.txt', 'y.txt']);
    });

    it('with the default policies nothing is written, made, removed or renamed', async () => {
      expect(await codeOf(put('/al-merge/new.txt', 'x'))).toBe('permission_denied');
      expect(await codeOf(server.fs.mkdir('/al-merge/newdir'))).toBe('permission_denied');
      expect(await codeOf(server.fs.remove('/al-merge/only-a.txt'))).toBe('permission_denied');
      expect(await codeOf(server.fs.rename('/al-merge/only-a.txt', 'renamed.txt'))).toBe('permission_denied');
      expect([disk('a/merge/new.txt'), disk('b/merge/new.txt'), disk('a/merge/only-a.txt')]).toEqual([undefined, undefined, 'a']);
    });

    it('several names: the root lists them, each is its folder, and the root takes no changes', async () => {
      expect(await names('/al-multi')).toEqual(['docs', 'extra']);
      expect(await text('/al-multi/extra/only-b.txt')).toBe('b');
      expect(await text('/al-multi/docs/same.txt')).toBe('from a');
      expect(await codeOf(put('/al-multi/new.txt', 'x'))).toBe('permission_denied');
      expect(await codeOf(server.fs.remove('/al-multi/docs'))).toBe('permission_denied');
      expect(await codeOf(server.fs.stat('/al-multi/nothing'))).toBe('not_found');
    });

    it('read policy first always reads the first folder\'s copy', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add(await text('/al-read-first/dup.txt'));
      expect([...seen]).toEqual(['AAAA']);
    });

    it.for(['random', 'all'])('read policy %s reads every copy of the same size, never one of another size', async (policy) => {
      const dup = new Set<string>();
      const diff = new Set<string>();
      for (let i = 0; i < 60; i++) {
        dup.add(await text(`/al-read-${policy}/dup.txt`));
        diff.add(await text(`/al-read-${policy}/diff.txt`));
      }
      expect([...dup].sort()).toEqual(['AAAA', 'BBBB']);
      expect([...diff]).toEqual(['AAAA']);
    });
  });

  describe('put conflict policy: where an upload lands', () => {
    it('first: the first folder that has the parent', async () => {
      await put('/al-put-first/both/f.txt', 'first');
      expect([disk('a/put-first/both/f.txt'), disk('b/put-first/both/f.txt')]).toEqual(['first', undefined]);
      await put('/al-put-first/onlyb/f.txt', 'only b has it');
      expect([disk('a/put-first/onlyb/f.txt'), disk('b/put-first/onlyb/f.txt')]).toEqual([undefined, 'only b has it']);
      // A parent that no folder has is made in the first folder that has its nearest ancestor.
      await put('/al-put-first/new/deep/f.txt', 'deep');
      expect([disk('a/put-first/new/deep/f.txt'), disk('b/put-first/new/deep/f.txt')]).toEqual(['deep', undefined]);
    });

    it('all: every folder that has the parent', async () => {
      await put('/al-put-all/both/f.txt', 'to all');
      expect([disk('a/put-all/both/f.txt'), disk('b/put-all/both/f.txt')]).toEqual(['to all', 'to all']);
      await put('/al-put-all/onlyb/f.txt', 'b');
      expect([disk('a/put-all/onlyb/f.txt'), disk('b/put-all/onlyb/f.txt')]).toEqual([undefined, 'b']);
    });

    it('all_strict: every folder, and nothing unless all have the parent', async () => {
      await put('/al-put-all_strict/both/f.txt', 'strict');
      expect([disk('a/put-all_strict/both/f.txt'), disk('b/put-all_strict/both/f.txt')]).toEqual(['strict', 'strict']);
      expect(await codeOf(put('/al-put-all_strict/onlyb/f.txt', 'x'))).toBe('conflict');
      expect(disk('b/put-all_strict/onlyb/f.txt')).toBeUndefined();
    });

    it('deterministic: the one folder that has the parent, a conflict when several do', async () => {
      expect(await codeOf(put('/al-put-deterministic/both/f.txt', 'x'))).toBe('conflict');
      expect([disk('a/put-deterministic/both/f.txt'), disk('b/put-deterministic/both/f.txt')]).toEqual([undefined, undefined]);
      await put('/al-put-deterministic/onlyb/f.txt', 'det');
      expect(disk('b/put-deterministic/onlyb/f.txt')).toBe('det');
    });

    it('deterministic_or_all: the one folder, or all when all have the parent, else a conflict', async () => {
      await put('/al-doa/one/f.txt', 'one');
      expect([disk('a/doa/one/f.txt'), disk('b/doa/one/f.txt')]).toEqual([undefined, 'one']);
      await put('/al-doa/all3/f.txt', 'all3');
      expect([disk('a/doa/all3/f.txt'), disk('b/doa/all3/f.txt'), disk('a/doa-3/all3/f.txt')]).toEqual(['all3', 'all3', 'all3']);
      expect(await codeOf(put('/al-doa/two/f.txt', 'x'))).toBe('conflict');
      expect([disk('a/doa/two/f.txt'), disk('b/doa/two/f.txt')]).toEqual([undefined, undefined]);
    });

    it('random: one of the folders that have the parent, each upload', async () => {
      const landed = { a: 0, b: 0 };
      for (let i = 0; i < 30; i++) {
        await put(`/al-put-random/both/r${i}.txt`, `r${i}`);
        const inA = disk(`a/put-random/both/r${i}.txt`) === `r${i}`;
        const inB = disk(`b/put-random/both/r${i}.txt`) === `r${i}`;
        expect(inA !== inB, `r${i} in exactly one folder`).toBe(true);
        landed[inA ? 'a' : 'b']++;
      }
      expect(landed.a).toBeGreaterThan(0);
      expect(landed.b).toBeGreaterThan(0);
    });
  });

  describe('write conflict policy: mkdir, remove and rename', () => {
    it('first: the first folder\'s copy only; the next copy then shows', async () => {
      await server.fs.mkdir('/al-w-first/d/made');
      expect([existsSync(join(A, 'w-first/d/made')), existsSync(join(B, 'w-first/d/made'))]).toEqual([true, false]);
      await server.fs.remove('/al-w-first/dup.txt');
      expect([disk('a/w-first/dup.txt'), disk('b/w-first/dup.txt')]).toEqual([undefined, 'b dup']);
      expect(await text('/al-w-first/dup.txt')).toBe('b dup');
      await server.fs.rename('/al-w-first/r.txt', 'r2.txt');
      expect([disk('a/w-first/r2.txt'), disk('b/w-first/r.txt'), disk('b/w-first/r2.txt')]).toEqual(['a r', 'b r', undefined]);
      expect(await names('/al-w-first')).toEqual(['d', 'dup.txt', 'only-b.txt', 'r.txt', 'r2.txt']);
    });

    it('all: every copy', async () => {
      await server.fs.mkdir('/al-w-all/d/made');
      expect([existsSync(join(A, 'w-all/d/made')), existsSync(join(B, 'w-all/d/made'))]).toEqual([true, true]);
      await server.fs.remove('/al-w-all/dup.txt');
      expect([disk('a/w-all/dup.txt'), disk('b/w-all/dup.txt')]).toEqual([undefined, undefined]);
      await server.fs.rename('/al-w-all/r.txt', 'r2.txt');
      expect([disk('a/w-all/r2.txt'), disk('b/w-all/r2.txt'), disk('a/w-all/r.txt'), disk('b/w-all/r.txt')]).toEqual(['a r', 'b r', undefined, undefined]);
    });

    it('deterministic: a conflict when several folders have it, the one copy otherwise', async () => {
      expect(await codeOf(server.fs.remove('/al-w-deterministic/dup.txt'))).toBe('conflict');
      expect([disk('a/w-deterministic/dup.txt'), disk('b/w-deterministic/dup.txt')]).toEqual(['a dup', 'b dup']);
      await server.fs.remove('/al-w-deterministic/only-b.txt');
      expect(disk('b/w-deterministic/only-b.txt')).toBeUndefined();
    });

    it('all_strict: a conflict unless every folder has it', async () => {
      expect(await codeOf(server.fs.remove('/al-w-all_strict/only-b.txt'))).toBe('conflict');
      expect(disk('b/w-all_strict/only-b.txt')).toBe('b only');
      await server.fs.remove('/al-w-all_strict/dup.txt');
      expect([disk('a/w-all_strict/dup.txt'), disk('b/w-all_strict/dup.txt')]).toEqual([undefined, undefined]);
    });

    it('with file_consistency_check, a copy of another size is not a copy', async () => {
      await server.fs.remove('/al-check/diff.txt');
      expect([disk('a/check/diff.txt'), disk('b/check/diff.txt')]).toEqual([undefined, 'BBBBBB']);
    });
  });

  describe('moving to another folder (put policy)', () => {
    it('all: each folder\'s copy moves within its own folder', async () => {
      await server.fs.move('/al-mv-all/src/f.txt', '/al-mv-all/dst/f.txt');
      expect([disk('a/mv-all/dst/f.txt'), disk('b/mv-all/dst/f.txt')]).toEqual(['a f', 'b f']);
      expect([disk('a/mv-all/src/f.txt'), disk('b/mv-all/src/f.txt')]).toEqual([undefined, undefined]);
    });

    it('first: the first copy moves, the copies left over are removed', async () => {
      await server.fs.move('/al-mv-first/src/f.txt', '/al-mv-first/dst/f.txt');
      expect([disk('a/mv-first/dst/f.txt'), disk('b/mv-first/dst/f.txt')]).toEqual(['a f', undefined]);
      expect([disk('a/mv-first/src/f.txt'), disk('b/mv-first/src/f.txt')]).toEqual([undefined, undefined]);
      expect(await names('/al-mv-first/src')).toEqual([]);
    });
  });

  it('escapes configured characters in backend names and still finds unescaped ones', async () => {
    await put('/al-esc/q?.txt', 'escaped');
    expect(disk('a/esc/q_x003F_.txt')).toBe('escaped');
    expect(await names('/al-esc')).toEqual(['old?.txt', 'q?.txt']);
    expect(await text('/al-esc/q?.txt')).toBe('escaped');
    expect(await text('/al-esc/old?.txt')).toBe('unescaped');
  });

  describe('refused at start', () => {
    it('choices Filebridge cannot honour, each with why', () => {
      expect(status('/al-quota')).toMatchObject({ state: 'error', error: expect.stringMatching(/put_conflict_policy "quota" is not supported/) });
      expect(status('/al-concurrency')).toMatchObject({ state: 'error', error: expect.stringMatching(/download_concurrency is not supported/) });
    });

    it('an alias of a folder of itself', async () => {
      expect(status('/al-self')).toMatchObject({ state: 'error', error: expect.stringMatching(/path \/al-self\/inside leads back to this alias/) });
    });

    it('two aliases of each other answer loop, whichever started first', async () => {
      for (const p of ['/al-x', '/al-y']) {
        const s = status(p);
        if (s?.state === 'error') expect(s.error).toMatch(/leads back to this alias/);
        else expect(await codeOf(server.fs.list(p))).toBe('loop');
      }
    });
  });
});
