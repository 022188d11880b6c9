import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FsError } from '../../core/errors.js';
import { HttpClient } from './http.js';
import { answerText, RestClient, statusError, type BearerSource, type ErrorAnswer, type RestClientOptions } from './rest.js';

/** One scripted answer: status, headers, body (JSON unless a string). */
type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'reset';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
  at: number;
}

/** A real HTTP server answering from a script, then 200 `{ ok: true }`; it records every request. */
class ScriptedServer {
  readonly seen: Seen[] = [];
  private script: Reply[] = [];
  private readonly server: Server = createServer((req, res) => void this.answer(req, res));

  async start(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reply(...script: Reply[]): void {
    this.script = script;
    this.seen.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body, at: Date.now() });
    const r = this.script.shift() ?? { status: 200, body: { ok: true } };
    if (r === 'reset') return void req.socket.destroy();
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {});
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
    res.end(text);
  }
}

/** A token source whose first token is refused once: `rejected` hands out the next. */
function tokens(): BearerSource & { refreshes: number } {
  let n = 1;
  return {
    refreshes: 0,
    accessToken: async () => `token-${n}`,
    async rejected(token: string) {
      if (token === `token-${n}`) {
        this.refreshes++;
        n++;
      }
      return `token-${n}`;
    },
  };
}

/** A driver-like mapping: the body's `code` NoRetry makes any status final. */
function mapError(a: ErrorAnswer): FsError {
  const code = (a.json as { code?: string } | undefined)?.code ?? '';
  const mapped = statusError(a, answerText(a, code ? { code, message: '' } : undefined));
  return code === 'NoRetry' ? new FsError(mapped.code, mapped.message) : mapped;
}

const ok = z.object({ ok: z.boolean() });
const read = { op: 'stat', rel: 'a.txt', idempotent: true };

describe('RestClient against a real HTTP server', () => {
  const server = new ScriptedServer();
  const dispatcher = new Agent({ connections: 4 });
  const mount = new AbortController();
  let base = '';
  let source: ReturnType<typeof tokens>;
  let client: RestClient;
  const make = (extra: Partial<RestClientOptions> = {}): RestClient =>
    new RestClient({ http: new HttpClient({ dispatcher, maxInFlight: 4 }), tokens: source, baseUrl: `${base}/api/`, signal: mount.signal, mapError, retry: { initialDelayMs: 10 }, ...extra });

  beforeAll(async () => {
    base = await server.start();
  });

  afterAll(async () => {
    await server.close();
    await dispatcher.close();
  });

  beforeEach(() => {
    source = tokens();
    client = make();
  });

  it('sends JSON with the bearer token to the base URL and checks the answer', async () => {
    server.reply({ status: 200, body: { ok: true } });
    await expect(client.post('/items', { a: 1 }, ok, read)).resolves.toEqual({ ok: true });
    expect(server.seen).toMatchObject([{ method: 'POST', url: '/api/items', authorization: 'Bearer token-1', body: '{"a":1}' }]);
  });

  it('waits as long as Retry-After asks after a 429, then repeats', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '1' } });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(2);
    expect((server.seen[1]?.at ?? 0) - (server.seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After longer than its longest backoff: the rate_limited error carries it', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '120' } });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).rejects.toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 120_000 });
    expect(server.seen).toHaveLength(1);
  });

  it('repeats an idempotent request after a 503 and after a dropped connection', async () => {
    server.reply({ status: 503 }, 'reset');
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(3);
  });

  it('gives up after two repeats with the last retryable error', async () => {
    server.reply({ status: 503 }, { status: 502 }, { status: 504 }, { status: 200, body: { ok: true } });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).rejects.toMatchObject({ code: 'storage_unavailable', retryable: true, message: expect.stringMatching(/HTTP 504/) });
    expect(server.seen).toHaveLength(3);
  });

  it('on a 401 refreshes the token once and repeats with the new one', async () => {
    server.reply({ status: 401, body: { code: 'InvalidToken' } });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).resolves.toEqual({ ok: true });
    expect(source.refreshes).toBe(1);
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('a token refused again after the refresh is unauthorized_upstream, without more refreshes or repeats', async () => {
    server.reply({ status: 401 }, { status: 401 }, { status: 401 });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).rejects.toMatchObject({ code: 'unauthorized_upstream' });
    expect(source.refreshes).toBe(1);
    expect(server.seen).toHaveLength(2);
  });

  it("asks the driver's tokenRefused hook, whatever the status", async () => {
    const c = make({ tokenRefused: (a) => (a.json as { code?: string } | undefined)?.code === 'AccessTokenExpired' });
    server.reply({ status: 400, body: { code: 'AccessTokenExpired' } });
    await expect(c.post('/x', {}, ok, read)).resolves.toEqual({ ok: true });
    expect(source.refreshes).toBe(1);
  });

  it('does not repeat a non-retryable 400: the mapped error comes at once', async () => {
    server.reply({ status: 400, body: { code: 'BadName' } });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).rejects.toMatchObject({ code: 'upstream_error', retryable: false, message: 'stat "/a.txt": BadName' });
    expect(server.seen).toHaveLength(1);
  });

  it("honours the driver's retryable flag: a 503 its mapping calls final is not repeated", async () => {
    server.reply({ status: 503, body: { code: 'NoRetry' } });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).rejects.toMatchObject({ code: 'storage_unavailable', retryable: false });
    expect(server.seen).toHaveLength(1);
  });

  it('does not repeat a POST after a 5xx unless it is idempotent; a 429 is repeated either way', async () => {
    const write = { op: 'mkdir', rel: 'd' };
    server.reply({ status: 503 });
    await expect(client.post('/create', {}, ok, write)).rejects.toMatchObject({ code: 'storage_unavailable', retryable: true });
    expect(server.seen).toHaveLength(1);
    server.reply('reset');
    await expect(client.post('/create', {}, ok, write)).rejects.toMatchObject({ retryable: true });
    expect(server.seen).toHaveLength(1);
    server.reply({ status: 503 });
    await expect(client.post('/create', {}, ok, { ...write, idempotent: true })).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(2);
    server.reply({ status: 429, headers: { 'retry-after': '0' } });
    await expect(client.post('/create', {}, ok, write)).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(2);
  });

  it('does not repeat a failed token refresh (the token manager has its own policy)', async () => {
    const failing = { accessToken: () => Promise.reject(new FsError('storage_unavailable', 'token refresh via oauth: HTTP 503', { retryable: true })), rejected: () => Promise.reject(new Error('unused')) };
    server.reply();
    await expect(make({ tokens: failing }).json({ method: 'GET', url: '/x' }, ok, read)).rejects.toMatchObject({ code: 'storage_unavailable', message: expect.stringMatching(/token refresh/) });
    expect(server.seen).toHaveLength(0);
  });

  it('an answer that does not fit the schema is upstream_error, not repeated', async () => {
    server.reply({ status: 200, body: { ok: 'yes' } });
    await expect(client.json({ method: 'GET', url: '/x' }, ok, read)).rejects.toMatchObject({ code: 'upstream_error', retryable: false });
    expect(server.seen).toHaveLength(1);
  });

  it('direct requests carry no token; a download is repeated until its answer comes and asks for the range', async () => {
    server.reply({ status: 500 }, { status: 206, headers: { 'content-range': 'bytes 3-5/10' }, body: '345' });
    const r = await client.download(`${base}/signed/file`, { size: 10, range: { start: 3, end: 5 }, rel: 'f' });
    let text = '';
    for await (const chunk of r.stream) text += String(chunk);
    expect({ text, range: r.range }).toEqual({ text: '345', range: { start: 3, end: 5 } });
    expect(server.seen.map((s) => s.authorization)).toEqual([undefined, undefined]);
  });

  it('a call aborted by its signal is aborted, not repeated', async () => {
    const call = new AbortController();
    call.abort();
    server.reply();
    await expect(client.json({ method: 'GET', url: '/x' }, ok, { ...read, signal: call.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(server.seen).toHaveLength(0);
  });
});
