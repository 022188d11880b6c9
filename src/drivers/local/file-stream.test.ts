import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferPool, FileStream } from './file-stream.js';

describe('FileStream', () => {
  let dir: string;
  let file: string;
  // Many chunks of the small pool below, the last one partial.
  const data = randomBytes(50_000);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'filebridge-file-stream-'));
    file = path.join(dir, 'data.bin');
    await writeFile(file, data);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const stream = async (pool: BufferPool, start = 0, end = data.length - 1) => {
    const handle = await open(file, 'r');
    return { handle, stream: new FileStream({ handle, start, end, pool }) };
  };

  const collect = async (s: AsyncIterable<Buffer>) => {
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(c);
    return Buffer.concat(parts);
  };

  it('reads the whole file and any span when read as a plain stream, then closes the file', async () => {
    const pool = new BufferPool(4096, 4);
    const whole = await stream(pool);
    expect(await collect(whole.stream)).toEqual(data);
    const span = await stream(pool, 4095, 12_289);
    expect(await collect(span.stream)).toEqual(data.subarray(4095, 12_290));
    const none = await stream(pool, 10, 9);
    expect(await collect(none.stream)).toEqual(Buffer.alloc(0));
    for (const s of [whole, span, none]) {
      if (!s.stream.closed) await new Promise<void>((r) => s.stream.once('close', () => r()));
      // A closed FileHandle reports fd -1.
      expect(s.handle.fd).toBe(-1);
    }
    // Plain reads hand their chunks to the reader: none goes back to the pool.
    expect(pool.kept).toBe(0);
  });

  it('piped into a file, reuses its buffers and still writes every byte in order', async () => {
    const pool = new BufferPool(4096, 2);
    const out = path.join(dir, 'copy.bin');
    const s = await stream(pool, 1, data.length - 2);
    await pipeline(s.stream, createWriteStream(out));
    expect(await readFile(out)).toEqual(data.subarray(1, data.length - 1));
    expect(s.handle.fd).toBe(-1);
    // The buffers came back (bounded by the pool's size), so the next download allocates none.
    expect(pool.kept).toBe(2);
  });

  it('several piped at once over one small pool each get their own bytes', async () => {
    const pool = new BufferPool(1024, 3);
    const spans = [
      [0, data.length - 1],
      [1000, 40_000],
      [1024, 2047],
      [49_000, data.length - 1],
    ] as const;
    const outs = await Promise.all(
      spans.map(async ([start, end], i) => {
        const out = path.join(dir, `many-${i}.bin`);
        await pipeline((await stream(pool, start, end)).stream, createWriteStream(out));
        return readFile(out);
      }),
    );
    outs.forEach((got, i) => expect(got).toEqual(data.subarray(spans[i]?.[0], (spans[i]?.[1] ?? 0) + 1)));
  });

  it('piped into a transform, falls back to fresh buffers (a transform may still hold a chunk after its callback)', async () => {
    const pool = new BufferPool(4096, 4);
    const s = await stream(pool);
    const through = new PassThrough({ highWaterMark: 1 << 20 });
    s.stream.pipe(through);
    expect(await collect(through)).toEqual(data);
    expect(pool.kept).toBe(0);
  });

  it('destroyed while piping, closes its file and writes no more', async () => {
    const pool = new BufferPool(1024, 4);
    const s = await stream(pool);
    const out = path.join(dir, 'cut.bin');
    const sink = createWriteStream(out);
    s.stream.pipe(sink);
    s.stream.destroy();
    await new Promise<void>((r) => s.stream.once('close', () => r()));
    expect(s.handle.fd).toBe(-1);
    sink.end();
    await new Promise<void>((r) => sink.once('close', () => r()));
    expect((await readFile(out)).length).toBeLessThan(data.length);
  });
});
