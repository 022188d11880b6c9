import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { defineDriver } from '../../src/drivers/define-driver.js';
import { FsError } from '../../src/core/errors.js';
import { Readable } from 'node:stream';
import { localDriver } from '../../src/drivers/local/local.js';
import type { Driver, DriverFacts, WriteOptions } from '../../src/core/storage/index.js';

const facts: DriverFacts = {
  caseSensitive: true,
  emptyDirs: true,
  mtimePrecisionMs: 0,
  setsMtime: false,
  hashes: [],
  unknownSizeWrites: false,
  proxyOnly: true,
};

function readOnly(init: (signal: AbortSignal) => Promise<void>): Driver {
  return {
    init,
    stat: async () => {
      throw new FsError('not_found', 'empty storage');
    },
    list: async function* () {
      /* nothing */
    },
    read: async () => {
      throw new FsError('not_found', 'empty storage');
    },
  };
}

/** A storage whose initialisation never returns and ignores its abort signal. */
export const hangingDriver = defineDriver({
  id: 'TestHang',
  label: 'Test: hangs',
  description: 'init never settles',
  options: {},
  facts,
  create: () => readOnly(() => new Promise<void>(() => undefined)),
});

/**
 * A storage that fails to start while the file named by `fault_file` exists, with the file's
 * text as the error: the cause goes away when the file is removed.
 */
export const faultyDriver = defineDriver({
  id: 'TestFaulty',
  label: 'Test: fails while a file exists',
  description: 'init throws while fault_file exists',
  options: {
    fault_file: { type: 'string', label: 'fault file', required: true },
    api_key: { type: 'string', label: 'API key', secret: true },
  },
  facts,
  create: (o) =>
    readOnly(async () => {
      if (existsSync(o.fault_file)) throw new Error(readFileSync(o.fault_file, 'utf8').trim());
    }),
});

/**
 * A Local storage whose upstream loses the last byte of every file whose name contains
 * `corrupt` while reporting the write as done: what a move must catch before it removes the source.
 */
export const shortWriteDriver = defineDriver({
  id: 'TestShortWrite',
  label: 'Test: loses the last byte of some files',
  description: 'Local, but writes of files named *corrupt* lose their last byte',
  options: localDriver.options,
  facts: localDriver.facts,
  create: (o, ctx) => {
    const inner = localDriver.create(o, ctx);
    const write = inner.write?.bind(inner);
    if (!write) throw new Error('Local writes');
    inner.write = async (path: string, body: Readable, options: WriteOptions = {}) => {
      if (!path.includes('corrupt')) return write(path, body, options);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      const all = Buffer.concat(chunks);
      return write(path, Readable.from([all.subarray(0, Math.max(0, all.length - 1))]), { ...options, size: undefined });
    };
    return inner;
  },
});

/**
 * A Local storage that appends `<instance>\t<path>` to `log_file` after every finished write,
 * where `<instance>` names this driver instance: tests count how often, and by which server, each
 * file was written.
 */
export const countingWriteDriver = defineDriver({
  id: 'TestCountingWrite',
  label: 'Test: logs every write',
  description: 'Local, logging each finished write to log_file',
  options: { ...localDriver.options, log_file: { type: 'string', label: 'log file', required: true } },
  facts: localDriver.facts,
  create: (o, ctx) => {
    const inner = localDriver.create(o, ctx);
    const write = inner.write?.bind(inner);
    if (!write) throw new Error('Local writes');
    const instance = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    inner.write = async (path: string, body: Readable, options: WriteOptions = {}) => {
      const e = await write(path, body, options);
      appendFileSync(o.log_file, `${instance}\t${path}\n`);
      return e;
    };
    return inner;
  },
});

/**
 * The smallest virtual storage: shows the folder `target` of the tree (any mount) as its own root,
 * read-only, through the driver context's tree; for the tree's wiring and loop tests.
 */
export const passThroughDriver = defineDriver({
  id: 'TestPassThrough',
  label: 'Test: another folder of the tree',
  description: 'lists and reads the folder `target` of the tree',
  options: { target: { type: 'string', label: 'target folder', required: true } },
  facts,
  create: (o, ctx) => {
    const at = (rel: string) => (rel === '' ? o.target : `${o.target.replace(/\/$/, '')}/${rel}`);
    return {
      stat: (rel) => ctx.tree.stat(at(rel)),
      list: async function* (rel) {
        yield* await ctx.tree.list(at(rel));
      },
      read: (rel, options) => ctx.tree.read(at(rel), options),
    };
  },
});
