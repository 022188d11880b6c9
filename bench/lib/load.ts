import { Pool } from 'undici';

export interface LoadResult {
  ops: number;
  seconds: number;
  perSecond: number;
  errors: number;
  firstError?: string;
}

/**
 * Runs `total` operations with `concurrency` workers over one undici pool of that many
 * connections, as fast as the server answers (no pacing, no rate limit).
 */
export async function runParallel(
  origin: string,
  concurrency: number,
  total: number,
  op: (pool: Pool, i: number) => Promise<void>,
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      try {
        await op(pool, i);
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  return { ops: total, seconds, perSecond: total / seconds, errors, firstError };
}

export function basicAuth(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

/** Sends one request and drains the body; throws on an unexpected status. */
export async function request(
  pool: Pool,
  options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
  ok: readonly number[],
): Promise<number> {
  const res = await pool.request({ method: options.method as 'GET', path: options.path, headers: options.headers, body: options.body });
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  if (!ok.includes(res.statusCode)) throw new Error(`${options.method} ${options.path}: HTTP ${res.statusCode}`);
  return bytes;
}
