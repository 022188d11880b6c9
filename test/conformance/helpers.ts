import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { expect, type TestContext } from 'vitest';
import { FsError, type FsErrorCode } from '../../src/core/errors.js';
import type { Driver, Entry } from '../../src/core/storage/index.js';

export const CHUNK = 64 * 1024;

export async function collect(entries: AsyncIterable<Entry>): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of entries) out.push(e);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function names(entries: AsyncIterable<Entry>): Promise<string[]> {
  return (await collect(entries)).map((e) => e.name);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(parts);
}

export async function sha256Of(stream: Readable): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    bytes += b.length;
    hash.update(b);
  }
  return { hex: hash.digest('hex'), bytes };
}

/** A byte stream of one buffer, as a request body would be (not object mode). */
export function bodyOf(data: Buffer | string): Readable {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return Readable.from(buf.length > 0 ? [buf] : [], { objectMode: false });
}

/**
 * A stream of `total` random bytes made one chunk at a time: the producer never holds more than
 * one chunk. `digest()` gives the sha256 of what was produced, once the stream is consumed.
 */
export function generatedBody(total: number): { stream: Readable; digest(): string } {
  const hash = createHash('sha256');
  async function* produce(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < total; sent += CHUNK) {
      const chunk = randomBytes(Math.min(CHUNK, total - sent));
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: Readable.from(produce(), { objectMode: false }), digest: () => hash.digest('hex') };
}

/** A body that sends `chunks` chunks and then fails, as a dropped client connection does. */
export function failingBody(chunks: number): Readable {
  async function* produce(): AsyncGenerator<Buffer> {
    for (let i = 0; i < chunks; i++) {
      yield Buffer.alloc(CHUNK, 0x61 + i);
      await tick();
    }
    throw new Error('client went away');
  }
  return Readable.from(produce(), { objectMode: false });
}

/** A body that keeps sending and aborts `controller` after `chunks` chunks; capped so it cannot run forever. */
export function bodyAbortingAfter(chunks: number, controller: AbortController): Readable {
  async function* produce(): AsyncGenerator<Buffer> {
    for (let i = 0; i < 512; i++) {
      if (i === chunks) controller.abort(new Error('user cancelled'));
      yield Buffer.alloc(CHUNK, 0x62);
      await tick();
    }
  }
  return Readable.from(produce(), { objectMode: false });
}

/** Awaits `p` and asserts it failed with an FsError of `code`. */
export async function expectFsError(p: Promise<unknown>, code: FsErrorCode): Promise<FsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected FsError "${code}", got success`).toBeDefined();
  expect(err, `expected an FsError, got ${String(err)}`).toBeInstanceOf(FsError);
  expect((err as FsError).code, (err as FsError).message).toBe(code);
  return err as FsError;
}

export type OptionalMethod = 'write' | 'mkdir' | 'remove' | 'move' | 'copy';

/** The driver's optional method, bound; skips the test with "driver has no X" when it is absent. */
export function capability<K extends OptionalMethod>(t: TestContext, driver: Driver, key: K): NonNullable<Driver[K]> {
  const fn = driver[key];
  if (fn === undefined) return t.skip(`driver has no ${key}`);
  return (fn as (...args: unknown[]) => unknown).bind(driver) as NonNullable<Driver[K]>;
}

/** Joins driver-relative path parts ("" is the root). */
export function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}
