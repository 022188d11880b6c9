import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

export const TEMP = '.filebridge-tmp';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Entries in a Local root's upload temp folder. */
export function tempEntries(root: string): string[] {
  const dir = join(root, TEMP);
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** A payload whose bytes depend on `seed`, so mixes of two writers can be told apart. */
export function payload(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE((seed * 2654435761 + i) >>> 0, Math.min(i, size - 4));
  return b;
}

export interface PartialUpload {
  /** Resolves once `sentBytes` were written (the server is mid-body). */
  started: Promise<void>;
  /** Kills the client socket (an abrupt client death: RST, no end of body). */
  kill(): void;
  /** Sends more of the body. */
  write(data: Buffer): void;
  /** The answer's body so far. */
  answer(): string;
  /** Resolves with the status when the server answered, or -1 when the connection died. */
  done: Promise<number>;
}

/**
 * Starts a request that declares `total` bytes (or streams chunked) and stops after `sentBytes`,
 * keeping the connection open until `kill()`.
 */
export function partialUpload(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  total: number,
  sentBytes: number,
  options: { chunked?: boolean; prefix?: string } = {},
): PartialUpload {
  const chunked = options.chunked ?? false;
  const u = new URL(base);
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((r) => (onStarted = r));
  const req = request({ agent: false, host: u.hostname, port: u.port, path, method, headers: { ...headers, ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }) } });
  let answer = '';
  const done = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.on('data', (c: Buffer) => (answer += c.toString()));
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.on('close', () => resolve(-1));
  });
  const data = Buffer.concat([Buffer.from(options.prefix ?? ''), payload(sentBytes, sentBytes)]);
  req.write(data, () => onStarted());
  // A server that stopped reading (back-pressure) is mid-body too.
  setTimeout(() => onStarted(), 1_500).unref();
  let sock: import('node:net').Socket | undefined;
  req.on('socket', (s) => (sock = s));
  return { started, kill: () => (req.destroy(), sock?.destroy()), write: (d) => void req.write(d), answer: () => answer, done };
}
