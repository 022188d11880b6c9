import { WriteStream, read as readFd } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { OutgoingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';

/**
 * Read buffers kept for reuse by one driver: taken by a download, given back once the socket (or
 * file) it was written to has taken its bytes. Bounded: at most `max` are kept; more downloads at
 * once allocate their own and let them go.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly max: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buf: Buffer): void {
    if (buf.length === this.size && this.free.length < this.max) this.free.push(buf);
  }

  /** Buffers kept now (for tests). */
  get kept(): number {
    return this.free.length;
  }
}

/**
 * Sinks whose write callback fires only once the chunk's bytes have left it (the kernel has them,
 * or the file has): a buffer written to one may be reused from its write callback on. Transforms
 * and PassThroughs are not: their callback fires while the chunk still waits in their buffer.
 */
function takesBytesBeforeCallback(dest: NodeJS.WritableStream): boolean {
  return dest instanceof OutgoingMessage || dest instanceof Socket || dest instanceof WriteStream;
}

export interface FileStreamOptions {
  /** Open for reading; closed by the stream when it ends or is destroyed. */
  handle: FileHandle;
  /** First byte to read. */
  start: number;
  /** Last byte to read (inclusive); start - 1 for nothing. */
  end: number;
  /** Buffers for the piped path; also the chunk size of the plain path. */
  pool: BufferPool;
}

/**
 * A file's bytes from `start` to `end`, as a plain Readable. Piped straight into a socket, an HTTP
 * response or a file (what serving a download does), it skips the stream machinery: two pooled
 * buffers take turns (one read from the disk while the other is written), each reused once its
 * write has completed, so a download allocates nothing per chunk and leaves no garbage for the
 * collector, and waits for each write before the next (back-pressure). Read any other way, it
 * behaves as fs.ReadStream does, with a fresh buffer per chunk.
 */
export class FileStream extends Readable {
  private readonly handle: FileHandle;
  private readonly pool: BufferPool;
  private pos: number;
  private readonly end: number;
  /** A read from the descriptor is running: closing must wait for it. */
  private reading = false;
  private afterRead: (() => void) | undefined;
  private piped = false;

  constructor(o: FileStreamOptions) {
    super({ highWaterMark: o.pool.size });
    this.handle = o.handle;
    this.pool = o.pool;
    this.pos = o.start;
    this.end = o.end;
  }

  /** Bytes still to read. */
  private get left(): number {
    return this.end - this.pos + 1;
  }

  /** One read of up to `buf.length` bytes at the current position; n is 0 at the end. */
  private readInto(buf: Buffer, done: (err: Error | null, n: number) => void): void {
    const want = Math.min(buf.length, this.left);
    if (want <= 0) return done(null, 0);
    this.reading = true;
    readFd(this.handle.fd, buf, 0, want, this.pos, (err, n) => {
      this.reading = false;
      if (!err) this.pos += n;
      const after = this.afterRead;
      this.afterRead = undefined;
      if (after) after();
      else done(err, n);
    });
  }

  override _read(): void {
    // Once piped into a byte sink, the pump below is the only reader.
    if (this.piped) return;
    const small = this.left < this.pool.size;
    const buf = small ? Buffer.allocUnsafe(Math.max(this.left, 0)) : Buffer.allocUnsafeSlow(this.pool.size);
    this.readInto(buf, (err, n) => {
      if (err) return this.destroy(err);
      this.push(n === 0 ? null : n === buf.length ? buf : buf.subarray(0, n));
    });
  }

  override pipe<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T {
    const untouched = !this.piped && this.readableLength === 0 && !this.readableFlowing && this.listenerCount('data') === 0 && !this.destroyed;
    if (!untouched || !takesBytesBeforeCallback(dest)) return super.pipe(dest, options);
    this.piped = true;
    dest.emit('pipe', this);
    this.pump(dest, options?.end !== false);
    return dest;
  }

  /**
   * Reads into one buffer while the other is being written. A buffer goes back to the pool only
   * from a write callback without error; on any failure buffers are simply dropped.
   */
  private pump(dest: NodeJS.WritableStream, endDest: boolean): void {
    let stopped = false;
    const stop = () => {
      stopped = true;
    };
    // The sink went away (client gone, or it failed): stop reading; whoever owns this stream
    // destroys it (fastify and pipeline do when the response closes early).
    dest.once('close', stop);
    let writing = false;
    let ready: { buf: Buffer; n: number } | undefined;
    let eof = false;
    const finish = () => {
      dest.off('close', stop);
      // As pipe does: the sink is ended once this side has ended (whoever watches both sees the
      // source finish first).
      if (endDest) this.once('end', () => dest.end());
      this.push(null);
      // Nothing reads this side: let it reach 'end' (and close its descriptor) on its own.
      this.resume();
    };
    const write = () => {
      if (writing || stopped || this.destroyed) return;
      if (!ready) {
        if (eof) finish();
        return;
      }
      const { buf, n } = ready;
      ready = undefined;
      writing = true;
      dest.write(n === buf.length ? buf : buf.subarray(0, n), (err?: Error | null) => {
        writing = false;
        if (err) return stop();
        this.pool.give(buf);
        write();
      });
      // The next chunk is read from the disk while this one goes out.
      read();
    };
    const read = () => {
      if (ready || eof || this.reading || stopped || this.destroyed) return;
      // A last chunk shorter than the pool's buffers (or a small file) gets its own buffer.
      const buf = this.left >= this.pool.size ? this.pool.take() : Buffer.allocUnsafe(this.left);
      this.readInto(buf, (err, n) => {
        if (err) {
          stop();
          return this.destroy(err);
        }
        if (n === 0) {
          // The file is shorter than it was (truncated meanwhile): what was read is all there is.
          eof = true;
          this.pool.give(buf);
        } else {
          ready = { buf, n };
          if (this.left <= 0) eof = true;
        }
        write();
      });
    };
    read();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // The descriptor is closed only after a read still running on it has returned.
    const close = () => {
      this.handle.close().then(
        () => callback(err),
        (closeErr: unknown) => callback(err ?? (closeErr as Error)),
      );
    };
    if (this.reading) this.afterRead = close;
    else close();
  }
}
