import { createRequire } from 'node:module';
import type { Agent } from 'undici';
import { type ToolName, ToolRefused, ToolUnavailable } from './tool.js';

/** Timeouts of one tool's RPC connection. */
export interface RpcTimeouts {
  connectMs: number;
  /** Headers and body, each. */
  responseMs: number;
}

export const DEFAULT_RPC_TIMEOUTS: RpcTimeouts = { connectMs: 5000, responseMs: 10_000 };

/** Bodies larger than this are not read (a tool's status answer is a few kilobytes). */
const MAX_BODY = 8 * 1024 * 1024;

export interface RpcResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One tool's HTTP connection: a small pool of its own with connect, header and body timeouts.
 * A failure to connect or answer in time is `ToolUnavailable` naming the tool and its endpoint.
 */
export class RpcConnection {
  private agent: Agent | undefined;

  constructor(
    readonly tool: ToolName,
    private readonly timeouts: RpcTimeouts = DEFAULT_RPC_TIMEOUTS,
  ) {}

  /** undici, and the pool, load on the first call: a server that never talks to a tool never loads them. */
  private undici(): { agent: Agent; request: typeof import('undici').request } {
    const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
    const t = this.timeouts;
    this.agent ??= new undici.Agent({ connections: 4, keepAliveTimeout: 10_000, headersTimeout: t.responseMs, bodyTimeout: t.responseMs, connect: { timeout: t.connectMs } });
    return { agent: this.agent, request: undici.request };
  }

  async post(endpoint: string, body: string, headers: Record<string, string>): Promise<RpcResponse> {
    let res;
    try {
      const { agent, request } = this.undici();
      res = await request(endpoint, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, dispatcher: agent });
    } catch (err) {
      throw new ToolUnavailable(this.tool, `${this.tool} is not reachable at ${redact(endpoint)}: ${cause(err)}`, { cause: err });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) {
          res.body.destroy();
          throw new ToolRefused(this.tool, `${this.tool} sent an answer larger than ${MAX_BODY} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof ToolRefused) throw err;
      throw new ToolUnavailable(this.tool, `${this.tool} at ${redact(endpoint)} broke off its answer: ${cause(err)}`, { cause: err });
    }
    if (res.statusCode >= 500) throw new ToolUnavailable(this.tool, `${this.tool} at ${redact(endpoint)} answered HTTP ${res.statusCode}`);
    return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
  }

  async close(): Promise<void> {
    await this.agent?.close();
    this.agent = undefined;
  }
}

function cause(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

/** The endpoint without credentials, for messages. */
export function redact(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return endpoint;
  }
}
