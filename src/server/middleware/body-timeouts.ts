import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';

export interface BodyTimeoutOptions {
  /** Deadline for receiving a whole request body, except streamed uploads; 0: none. */
  requestTimeoutMs: number;
  /** Longest stretch without a body byte while the server waits for one (uploads too); 0: none. */
  bodyIdleTimeoutMs: number;
  /** Whether a request (method, matched route) streams its body to a storage: only the idle deadline applies. */
  streaming(method: string, route: string | undefined): boolean;
  logger: FastifyBaseLogger;
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  socket: Socket;
  streaming: boolean;
  start: number;
  bytes: number;
  active: number;
}

const BODY = '408 request timeout\n';
const TIMEOUT_RESPONSE =
  `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`;

/** True when the request announces a body that has not fully arrived. */
function awaitsBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Deadlines for request bodies, so slow or stalled clients cannot hold sockets: a body that sends
 * nothing for `bodyIdleTimeoutMs`, or (not a streamed upload) has not arrived within
 * `requestTimeoutMs`, is answered 408 and its socket closed, as Node does for its own request
 * timeout. Activity is the socket's received byte count; time the server itself holds the body
 * (back-pressure from a slow storage, buffered bytes not yet read) never counts as idle. One
 * sweep timer per app runs only while bodies are in flight.
 */
export class BodyTimeouts {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;

  constructor(private readonly options: BodyTimeoutOptions) {
    const shortest = Math.min(...[options.requestTimeoutMs, options.bodyIdleTimeoutMs].filter((ms) => ms > 0));
    this.tickMs = Math.max(25, Math.min(1_000, Math.floor(shortest / 4)));
  }

  get enabled(): boolean {
    return this.options.requestTimeoutMs > 0 || this.options.bodyIdleTimeoutMs > 0;
  }

  /** The onRequest hook: starts watching a request whose body is still to come. */
  readonly onRequest = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const raw = req.raw;
    if (!awaitsBody(raw)) return;
    const now = Date.now();
    const socket = raw.socket;
    const streaming = this.options.streaming(req.method, req.routeOptions.url);
    this.watched.add({ req: raw, res: reply.raw, socket, streaming, start: now, bytes: socket.bytesRead, active: now });
    this.timer ??= setInterval(() => this.sweep(), this.tickMs).unref();
  };

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private sweep(): void {
    const now = Date.now();
    const { requestTimeoutMs, bodyIdleTimeoutMs } = this.options;
    for (const w of this.watched) {
      if (w.req.complete || w.socket.destroyed) {
        this.watched.delete(w);
        continue;
      }
      const bytes = w.socket.bytesRead;
      // Bytes arrived, or bytes wait in the request stream: the client is not the one stalling.
      if (bytes !== w.bytes || w.req.readableLength > 0) [w.bytes, w.active] = [bytes, now];
      if (bodyIdleTimeoutMs > 0 && now - w.active >= bodyIdleTimeoutMs) this.expire(w, 'body idle');
      else if (!w.streaming && requestTimeoutMs > 0 && now - w.start >= requestTimeoutMs) this.expire(w, 'request');
    }
    if (this.watched.size === 0) this.close();
  }

  private expire(w: Watched, which: 'body idle' | 'request'): void {
    this.watched.delete(w);
    this.options.logger.info({ method: w.req.method, url: w.req.url, timeout: which }, 'request body timed out; connection closed');
    if (!w.res.headersSent && w.socket.writable) w.socket.write(TIMEOUT_RESPONSE);
    w.socket.destroy();
  }
}
