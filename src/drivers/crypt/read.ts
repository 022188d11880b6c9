import { Readable } from 'node:stream';
import { FsError } from '../../core/errors.js';
import type { ReadResult, Tree } from '../../core/storage/index.js';
import { fitToSpan, type Span } from '../shared/range.js';
import { CHUNK_BYTES, CHUNK_DATA, decryptChunks, HEADER_BYTES, parseHeader } from './content.js';

export interface PlainRead {
  tree: Tree;
  /** Tree path of the stored file, its stored size, and its plain size. */
  remote: string;
  storedSize: number;
  plainSize: number;
  /** The plain span asked for (already checked against plainSize), or undefined for the whole file. */
  span?: Span;
  dataKey: Uint8Array;
  signal?: AbortSignal;
  where: string;
}

/** Reads stored bytes `[start, end]` of the file (or from 0 to its end), trimmed to that span if the storage sent more. */
async function storedRange(r: PlainRead, span: Span | undefined): Promise<Readable> {
  const got = await r.tree.read(r.remote, span ? { range: span, signal: r.signal } : { signal: r.signal });
  if (!span) return got.stream;
  const sent = got.range ?? { start: 0, end: got.size - 1 };
  const fitted = fitToSpan(got.stream, sent, span);
  if (fitted.range.start !== span.start || fitted.range.end < span.end) {
    fitted.stream.destroy();
    throw new FsError('upstream_error', `${r.where}: the storage sent bytes ${sent.start}-${sent.end} for ${span.start}-${span.end}`);
  }
  return fitted.stream;
}

/** Takes the 32-byte header off the front of `source`, giving the rest of the bytes as an iterable. */
async function splitHeader(source: Readable, where: string): Promise<{ nonce: Uint8Array; rest: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  while (head.length < HEADER_BYTES) {
    const next = await it.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  const nonce = parseHeader(head, where);
  const leftover = head.subarray(HEADER_BYTES);
  async function* rest(): AsyncGenerator<Buffer> {
    if (leftover.length > 0) yield leftover;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { nonce, rest: rest() };
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

/**
 * The plain bytes of a stored file, or of a span of it: only the chunks that hold the span are
 * read (one ranged read from the start when the span begins in the first chunk, else the header
 * and then the chunks). The first chunk is decrypted before this returns, so a wrong password
 * fails the read itself (permission_denied) before any byte is sent.
 */
export async function readPlain(r: PlainRead): Promise<ReadResult> {
  const first = r.span ? Math.floor(r.span.start / CHUNK_DATA) : 0;
  const last = r.span ? Math.floor(r.span.end / CHUNK_DATA) : 0;
  const endOfChunks = (n: number) => Math.min(r.storedSize - 1, HEADER_BYTES + (n + 1) * CHUNK_BYTES - 1);
  let nonce: Uint8Array;
  let body: AsyncIterable<Buffer>;
  let source: Readable;
  if (first === 0) {
    source = await storedRange(r, r.span ? { start: 0, end: endOfChunks(last) } : undefined);
    ({ nonce, rest: body } = await splitHeader(source, r.where).catch((err: unknown) => {
      source.destroy();
      throw err;
    }));
  } else {
    nonce = parseHeader(await collect(await storedRange(r, { start: 0, end: HEADER_BYTES - 1 })), r.where);
    source = await storedRange(r, { start: HEADER_BYTES + first * CHUNK_BYTES, end: endOfChunks(last) });
    body = source;
  }
  const span = r.span;
  const plain = decryptChunks(body, {
    dataKey: r.dataKey,
    nonce,
    firstChunk: first,
    skip: span ? span.start - first * CHUNK_DATA : 0,
    length: span ? span.end - span.start + 1 : undefined,
    where: r.where,
  });
  let head: IteratorResult<Buffer>;
  try {
    head = await plain.next();
  } catch (err) {
    source.destroy();
    throw err;
  }
  async function* primed(): AsyncGenerator<Buffer> {
    if (head.done) return;
    yield head.value;
    yield* plain;
  }
  const stream = Readable.from(primed(), { objectMode: false });
  stream.once('close', () => source.destroy());
  return { stream, size: r.plainSize, range: span ? { start: span.start, end: span.end } : undefined };
}
