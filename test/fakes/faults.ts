import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** A fault a fake endpoint can be switched to at runtime. */
export type Fault =
  | { kind: 'hang' }
  | { kind: 'slow'; ms: number }
  | { kind: 'status'; status: number }
  | { kind: 'rate_limit'; retryAfterSec: number }
  | { kind: 'reject' };

/** The parts of a fake that faults can be aimed at. */
export type FaultTarget = 'token' | 'online' | 'api' | 'download';

/**
 * Runtime switches for a fake: `set('token', { kind: 'hang' })` makes the token endpoint hold every
 * request open; `clear()` restores normal service. `hits` counts requests per target.
 */
export class Faults {
  private readonly active = new Map<FaultTarget, Fault>();
  readonly hits: Record<FaultTarget, number> = { token: 0, online: 0, api: 0, download: 0 };

  set(target: FaultTarget, fault: Fault | undefined): void {
    if (fault) this.active.set(target, fault);
    else this.active.delete(target);
  }

  get(target: FaultTarget): Fault | undefined {
    return this.active.get(target);
  }

  clear(): void {
    this.active.clear();
  }

  /**
   * Applies the fault for `target`. Returns true when the request was answered (or is left
   * hanging), false when the handler should go on (no fault, after a slow start, or a `reject`
   * fault that the handler itself interprets).
   */
  async apply(target: FaultTarget, req: IncomingMessage, res: ServerResponse, errorBody: (status: number) => unknown): Promise<boolean> {
    this.hits[target]++;
    const f = this.active.get(target);
    if (!f || f.kind === 'reject') return false;
    switch (f.kind) {
      case 'hang':
        req.resume();
        return true; // never answered; the server destroys the socket on close
      case 'slow':
        await sleep(f.ms);
        return false;
      case 'rate_limit':
        req.resume();
        sendJson(res, 429, errorBody(429), { 'retry-after': String(f.retryAfterSec) });
        return true;
      case 'status':
        req.resume();
        sendJson(res, f.status, errorBody(f.status));
        return true;
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  if (text === '') return {};
  const v: unknown = JSON.parse(text);
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}
