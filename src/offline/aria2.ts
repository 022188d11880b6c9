import { createHash } from 'node:crypto';
import { z } from 'zod';
import { RpcConnection, type RpcTimeouts, redact } from './rpc.js';
import { OfflineKeys, type OfflineSettings } from './settings.js';
import { type ExternalTool, ToolRefused, type ToolStatus } from './tool.js';
import type { UrlKind } from './url-check.js';

const RpcAnswer = z.object({
  result: z.unknown().optional(),
  error: z.object({ code: z.number(), message: z.string() }).optional(),
});

const StatusAnswer = z.object({
  gid: z.string(),
  status: z.string(),
  totalLength: z.string().default('0'),
  completedLength: z.string().default('0'),
  errorMessage: z.string().optional(),
  errorCode: z.string().optional(),
  followedBy: z.array(z.string()).optional(),
  seeder: z.string().optional(),
});
type Aria2Status = z.infer<typeof StatusAnswer>;

/** aria2's own error for a GID it does not hold. */
const NOT_FOUND = /is not found/i;

class Aria2Error extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * aria2 over its JSON-RPC interface (`aria2c --enable-rpc`), authenticated with `token:<secret>`.
 * Each task's GID is derived from the task id, so adding again after a restart of either side
 * finds the download instead of starting a second one.
 */
export class Aria2Tool implements ExternalTool {
  readonly name = 'aria2' as const;
  private readonly rpc: RpcConnection;
  private seq = 0;

  constructor(
    private readonly settings: OfflineSettings,
    timeouts?: RpcTimeouts,
  ) {
    this.rpc = new RpcConnection('aria2', timeouts);
  }

  configured(): boolean {
    return this.settings.get(OfflineKeys.aria2Uri) !== '';
  }

  accepts(kind: UrlKind): boolean {
    return kind === 'http' || kind === 'magnet';
  }

  async probe(): Promise<string> {
    const v = z.object({ version: z.string() }).parse(await this.call('aria2.getVersion', []));
    return `aria2 version: ${v.version}`;
  }

  /** The GID aria2 gives task `taskId`'s download: 16 hex digits derived from the task id. */
  static gidOf(taskId: string): string {
    return createHash('sha256').update(`filebridge-offline:${taskId}`).digest('hex').slice(0, 16);
  }

  async ensure(taskId: string, url: string, dir: string): Promise<string> {
    const gid = Aria2Tool.gidOf(taskId);
    if ((await this.tell(gid)) !== undefined) return gid;
    const options = {
      gid,
      dir,
      // A partial file of an earlier attempt is continued, never renamed to name.1.
      continue: 'true',
      'auto-file-renaming': 'false',
      'allow-overwrite': 'false',
      // A .torrent or magnet's metadata stays in memory: only the content lands in the folder.
      'follow-torrent': 'mem',
      'follow-metalink': 'mem',
      'seed-time': '0',
    };
    try {
      await this.call('aria2.addUri', [[url], options]);
    } catch (err) {
      // Added meanwhile (two attempts raced): the download is there.
      if (err instanceof Aria2Error && /gid.*(in use|already|exists)/i.test(err.message) && (await this.tell(gid))) return gid;
      throw err instanceof Aria2Error ? new ToolRefused('aria2', `aria2 refused ${url}: ${err.message}`) : err;
    }
    return gid;
  }

  async status(handle: string): Promise<ToolStatus | undefined> {
    let s = await this.tell(handle);
    // A .torrent or magnet is followed by the download of its content: report that one.
    for (let hops = 0; s && s.followedBy && s.followedBy.length > 0 && hops < 4; hops++) {
      const next = await this.tell(s.followedBy[0] as string);
      if (!next) break;
      s = next;
    }
    return s ? toStatus(s) : undefined;
  }

  async remove(handle: string): Promise<void> {
    const s = await this.tell(handle);
    for (const gid of [...(s?.followedBy ?? []), handle]) {
      await this.call('aria2.forceRemove', [gid]).catch(() => undefined);
      await this.call('aria2.removeDownloadResult', [gid]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.rpc.close();
  }

  private async tell(gid: string): Promise<Aria2Status | undefined> {
    try {
      return StatusAnswer.parse(await this.call('aria2.tellStatus', [gid]));
    } catch (err) {
      if (err instanceof Aria2Error && NOT_FOUND.test(err.message)) return undefined;
      throw err;
    }
  }

  private async call(method: string, params: unknown[]): Promise<unknown> {
    const uri = this.settings.get(OfflineKeys.aria2Uri);
    if (uri === '') throw new ToolRefused('aria2', 'aria2 is not configured (setting aria2_uri)');
    const secret = this.settings.get(OfflineKeys.aria2Secret);
    const body = JSON.stringify({ jsonrpc: '2.0', id: `fb${++this.seq}`, method, params: secret ? [`token:${secret}`, ...params] : params });
    const res = await this.rpc.post(uri, body, {});
    let answer;
    try {
      answer = RpcAnswer.parse(JSON.parse(res.text));
    } catch {
      throw new ToolRefused('aria2', `${redact(uri)} did not answer as aria2's JSON-RPC does (HTTP ${res.status})`);
    }
    if (answer.error) {
      if (/unauthorized/i.test(answer.error.message)) throw new ToolRefused('aria2', 'aria2 refused the secret (setting aria2_secret)');
      throw new Aria2Error(answer.error.code, answer.error.message);
    }
    return answer.result;
  }
}

function toStatus(s: Aria2Status): ToolStatus {
  const totalBytes = Number(s.totalLength) || 0;
  const completedBytes = Number(s.completedLength) || 0;
  switch (s.status) {
    case 'complete':
      return { state: 'complete', totalBytes, completedBytes: totalBytes, message: 'complete' };
    case 'active':
      // A torrent that is seeding has all its content.
      if (s.seeder === 'true') return { state: 'complete', totalBytes, completedBytes: totalBytes, message: 'seeding' };
      return { state: 'active', totalBytes, completedBytes, message: 'active' };
    case 'waiting':
      return { state: 'waiting', totalBytes, completedBytes, message: 'waiting' };
    case 'paused':
      return { state: 'paused', totalBytes, completedBytes, message: 'paused' };
    case 'removed':
      return { state: 'removed', totalBytes, completedBytes, message: 'removed from aria2' };
    default:
      return { state: 'error', totalBytes, completedBytes, message: s.errorMessage || `aria2 error ${s.errorCode ?? ''}`.trim() };
  }
}
