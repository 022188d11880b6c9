import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDriver } from '../../src/drivers/local/local.js';
import type { Driver } from '../../src/core/storage/index.js';
import { createTestContext, type DriverTestContext } from '../conformance/context.js';
import { bodyOf, collect, readAll } from '../conformance/helpers.js';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';
const OUTSIDE_ONLY = 'only-outside.txt';
const TMP = '.filebridge-tmp';
/** How long each race runs when nothing escapes (it stops at the first escape). */
const RACE_MS = 2_500;
const WORKERS = 24;

type Methods = Required<Driver>;

/**
 * A thread that swaps `name` between a real folder and a symlink to the outside folder, as fast
 * as the kernel allows: real → name → real, link → name → link, over and over.
 */
function startSwapper(root: string, name: string): { stop(): Promise<void> } {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const { lstatSync, renameSync, rmSync } = require('node:fs');
    const { join } = require('node:path');
    const { workerData: w } = require('node:worker_threads');
    const at = (n) => join(w.root, n);
    const mv = (a, b) => { try { renameSync(at(a), at(b)); return true; } catch { return false; } };
    const realIno = lstatSync(at(w.name + '.real')).ino;
    // While the name is missing, a write's mkdir -p may make a new folder there; clear it, or the
    // swapping would stop.
    const clear = () => {
      try {
        const st = lstatSync(at(w.name));
        if (st.isDirectory() && st.ino !== realIno) rmSync(at(w.name), { recursive: true, force: true });
      } catch {}
    };
    while (Atomics.load(w.stop, 0) === 0) {
      if (!mv(w.name + '.real', w.name)) clear();
      mv(w.name, w.name + '.real');
      if (!mv(w.name + '.link', w.name)) clear();
      mv(w.name, w.name + '.link');
    }`;
  const worker = new Worker(code, { eval: true, workerData: { root, name, stop } });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      Atomics.store(stop, 0, 1);
      await exited;
    },
  };
}

/** Every regular file below `dir` (symlinks not followed), with its bytes. */
function filesBelow(dir: string): { file: string; data: string }[] {
  const out: { file: string; data: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...filesBelow(p));
    else if (st.isFile()) out.push({ file: p, data: readFileSync(p, 'utf8') });
  }
  return out;
}

describe('Local driver: containment holds while a folder is swapped for a symlink (TOCTOU)', () => {
  let root: string;
  let outside: string;
  let tc: DriverTestContext;
  let d: Methods;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-race-root-'));
    outside = await mkdtemp(path.join(os.tmpdir(), 'filebridge-race-outside-'));
    tc = await createTestContext();
    await writeFile(path.join(outside, 'f.txt'), SECRET);
    await writeFile(path.join(outside, OUTSIDE_ONLY), SECRET);
    await mkdir(path.join(outside, 'sub'));
    await writeFile(path.join(outside, 'sub', 'f.txt'), SECRET);
    await mkdir(path.join(root, 'sw.real', 'sub'), { recursive: true });
    await writeFile(path.join(root, 'sw.real', 'f.txt'), 'public bytes');
    await writeFile(path.join(root, 'sw.real', 'sub', 'f.txt'), 'public bytes');
    await symlink(outside, path.join(root, 'sw.link'));
    const driver = localDriver.create(localDriver.schema.parse({ root_folder_path: root }), tc.ctx);
    await driver.init?.(AbortSignal.timeout(10_000));
    d = driver as Methods;
  });

  afterEach(async () => {
    await tc.cleanup();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  /** What the outside folder must still hold, exactly. */
  async function expectOutsideUntouched(): Promise<void> {
    expect((await readdir(outside)).sort()).toEqual(['f.txt', OUTSIDE_ONLY, 'sub']);
    expect(await readdir(path.join(outside, 'sub'))).toEqual(['f.txt']);
    expect(await readFile(path.join(outside, 'f.txt'), 'utf8')).toBe(SECRET);
  }

  /**
   * Runs `op` from many concurrent loops while the swapper runs; `op` returns what it saw. Stops at
   * the first escape, or after RACE_MS. Errors from the driver (the folder is missing or a symlink
   * at that instant) are expected and ignored.
   */
  async function race(swapped: string, op: (i: number) => Promise<string | undefined>): Promise<{ escapes: string[]; ops: number; ok: number }> {
    const swapper = startSwapper(root, swapped);
    const escapes: string[] = [];
    let ops = 0;
    let ok = 0;
    const end = Date.now() + RACE_MS;
    try {
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          while (Date.now() < end && escapes.length === 0) {
            const i = ops++;
            const seen = await op(w * 1_000_000 + i).then(
              (v) => {
                ok++;
                return v;
              },
              () => undefined,
            );
            if (seen !== undefined && seen.includes(SECRET)) escapes.push(seen);
            if (seen !== undefined && seen.includes(OUTSIDE_ONLY)) escapes.push(seen);
          }
        }),
      );
    } finally {
      await swapper.stop();
    }
    return { escapes, ops, ok };
  }

  it('reads (whole and ranged), stats, listings and copies never return bytes or names from outside', async () => {
    const { escapes, ops, ok } = await race('sw', async (i) => {
      switch (i % 6) {
        case 0:
          return (await readAll((await d.read('sw/f.txt')).stream)).toString();
        case 1:
          return (await readAll((await d.read('sw/sub/f.txt', { range: { start: 0, end: 200 } })).stream)).toString();
        case 2:
          return (await collect(d.list('sw'))).map((e) => e.name).join('\n');
        case 3: {
          const e = await d.stat('sw/f.txt');
          // The secret is longer than the public file: a size of its length is its metadata leaking.
          return e.size === SECRET.length ? SECRET : undefined;
        }
        case 4:
          await d.copy('sw/f.txt', `copies/c${i}.txt`);
          return (await readAll((await d.read(`copies/c${i}.txt`)).stream)).toString();
        default:
          await d.copy('sw', `copies/tree${i}`);
          return (await readAll((await d.read(`copies/tree${i}/f.txt`)).stream)).toString();
      }
    });
    expect(escapes).toEqual([]);
    // The race is real: many operations ran, and many of them succeeded (the driver still works).
    expect(ops).toBeGreaterThan(200);
    expect(ok).toBeGreaterThan(50);
    // No file inside the root ever received the secret's bytes (copies included).
    expect(filesBelow(root).filter((f) => f.data.includes(SECRET)).map((f) => f.file)).toEqual([]);
    await expectOutsideUntouched();
  });

  it('uploads, mkdirs, moves and removes never create, change or delete anything outside', async () => {
    await d.mkdir('stage');
    const { escapes, ops, ok } = await race('sw', async (i) => {
      switch (i % 5) {
        case 0:
          await d.write(`sw/up${i}.txt`, bodyOf(`upload ${i}`));
          return undefined;
        case 1:
          await d.write(`sw/sub/big${i}.bin`, bodyOf(Buffer.alloc(300 * 1024, 7)));
          return undefined;
        case 2:
          await d.mkdir(`sw/dir${i}`);
          return undefined;
        case 3:
          await d.write(`stage/m${i}.txt`, bodyOf(`moved ${i}`));
          await d.move(`stage/m${i}.txt`, `sw/m${i}.txt`);
          return undefined;
        default:
          await d.remove('sw/f.txt').catch(() => undefined);
          await d.remove('sw/sub', { recursive: true }).catch(() => undefined);
          return undefined;
      }
    });
    expect(escapes).toEqual([]);
    // The race is real: many operations ran, and many of them succeeded (the driver still works).
    expect(ops).toBeGreaterThan(200);
    expect(ok).toBeGreaterThan(50);
    await expectOutsideUntouched();
  });

  it('uploads never land outside while the temp folder is swapped for a symlink', async () => {
    await rm(path.join(root, TMP), { recursive: true, force: true });
    await mkdir(path.join(root, `${TMP}.real`), { mode: 0o700 });
    await symlink(outside, path.join(root, `${TMP}.link`));
    const { ops, ok } = await race(TMP, async (i) => {
      await d.write(`up${i % 50}.txt`, bodyOf(i % 2 === 0 ? `small ${i}` : Buffer.alloc(200 * 1024, 1)));
      return undefined;
    });
    // The race is real: many operations ran, and many of them succeeded (the driver still works).
    expect(ops).toBeGreaterThan(200);
    expect(ok).toBeGreaterThan(50);
    await expectOutsideUntouched();
  });
});
