import { z } from 'zod';
import { RpcConnection, type RpcTimeouts, redact } from './rpc.js';
import { OfflineKeys, type OfflineSettings } from './settings.js';
import { type ExternalTool, ToolRefused, type ToolStatus, ToolUnavailable } from './tool.js';
import type { UrlKind } from './url-check.js';

const SESSION_HEADER = 'x-transmission-session-id';

const Answer = z.object({ result: z.string(), arguments: z.record(z.string(), z.unknown()).optional() });
const Added = z.object({ hashString: z.string(), name: z.string().optional() });
const Torrent = z.object({
  hashString: z.string(),
  status: z.number(),
  percentDone: z.number().default(0),
  sizeWhenDone: z.number().default(0),
  leftUntilDone: z.number().default(0),
  error: z.number().default(0),
  errorString: z.string().default(''),
  metadataPercentComplete: z.number().default(1),
});
type TorrentInfo = z.infer<typeof Torrent>;

/** Transmission's torrent states (RPC spec §3.3). */
const STATES = ['stopped', 'check wait', 'checking', 'download wait', 'downloading', 'seed wait', 'seeding'] as const;

/**
 * Transmission over its RPC (`transmission-daemon`): every request carries the
 * X-Transmission-Session-Id the daemon handed out; a 409 answer hands out a new one and the
 * request is sent again once. Torrents are known by their info hash, so adding one twice finds it.
 */
export class TransmissionTool implements ExternalTool {
  readonly name = 'Transmission' as const;
  private readonly rpc: RpcConnection;
  private session = '';

  constructor(
    private readonly settings: OfflineSettings,
    timeouts?: RpcTimeouts,
  ) {
    this.rpc = new RpcConnection('Transmission', timeouts);
  }

  configured(): boolean {
    return this.settings.get(OfflineKeys.transmissionUri) !== '';
  }

  /** Torrents only: a magnet, or an http(s) URL of a .torrent file. */
  accepts(kind: UrlKind): boolean {
    return kind === 'magnet' || kind === 'http';
  }

  async probe(): Promise<string> {
    const args = await this.call('session-get', { fields: ['version', 'rpc-version'] });
    return `Transmission version: ${String(args.version ?? 'unknown')}`;
  }

  async ensure(_taskId: string, url: string, dir: string): Promise<string> {
    const args = await this.call('torrent-add', { filename: url, 'download-dir': dir, paused: false });
    const added = Added.safeParse(args['torrent-added'] ?? args['torrent-duplicate']);
    if (!added.success) throw new ToolRefused('Transmission', `Transmission did not add ${url}`);
    return added.data.hashString;
  }

  async status(handle: string): Promise<ToolStatus | undefined> {
    const args = await this.call('torrent-get', {
      ids: [handle],
      fields: ['hashString', 'status', 'percentDone', 'sizeWhenDone', 'leftUntilDone', 'error', 'errorString', 'metadataPercentComplete'],
    });
    const list = z.array(Torrent).safeParse(args.torrents);
    if (!list.success) throw new ToolRefused('Transmission', 'Transmission sent a torrent list this server cannot read');
    const t = list.data.find((x) => x.hashString.toLowerCase() === handle.toLowerCase());
    return t ? toStatus(t) : undefined;
  }

  async remove(handle: string): Promise<void> {
    await this.call('torrent-remove', { ids: [handle], 'delete-local-data': false });
  }

  async close(): Promise<void> {
    await this.rpc.close();
  }

  private endpoint(): { url: string; auth?: string } {
    const uri = this.settings.get(OfflineKeys.transmissionUri);
    if (uri === '') throw new ToolRefused('Transmission', 'Transmission is not configured (setting transmission_uri)');
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      throw new ToolRefused('Transmission', `transmission_uri is not a URL: ${uri}`);
    }
    const auth = u.username ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : undefined;
    u.username = '';
    u.password = '';
    return { url: u.href, auth };
  }

  private async call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { url, auth } = this.endpoint();
    const body = JSON.stringify({ method, arguments: args });
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await this.rpc.post(url, body, { ...(this.session ? { [SESSION_HEADER]: this.session } : {}), ...(auth ? { authorization: auth } : {}) });
      if (res.status === 409) {
        const id = res.headers[SESSION_HEADER];
        this.session = (Array.isArray(id) ? id[0] : id) ?? '';
        continue;
      }
      if (res.status === 401 || res.status === 403) throw new ToolRefused('Transmission', `Transmission refused the credentials (HTTP ${res.status})`);
      let answer;
      try {
        answer = Answer.parse(JSON.parse(res.text));
      } catch {
        throw new ToolRefused('Transmission', `${redact(url)} did not answer as Transmission's RPC does (HTTP ${res.status})`);
      }
      if (answer.result !== 'success') throw new ToolRefused('Transmission', `Transmission: ${answer.result}`);
      return answer.arguments ?? {};
    }
    throw new ToolUnavailable('Transmission', `Transmission at ${redact(url)} keeps asking for a new session id`);
  }
}

function toStatus(t: TorrentInfo): ToolStatus {
  const total = t.sizeWhenDone;
  const completed = Math.max(0, total - t.leftUntilDone);
  const state = STATES[t.status] ?? `status ${t.status}`;
  // Error 3 is a local error (disk full, folder missing): the torrent cannot go on. 1 and 2 are tracker warnings.
  if (t.error === 3) return { state: 'error', totalBytes: total, completedBytes: completed, message: t.errorString || 'local error' };
  if (t.metadataPercentComplete >= 1 && total > 0 && t.leftUntilDone === 0) return { state: 'complete', totalBytes: total, completedBytes: total, message: state };
  if (t.status === 0) return { state: 'paused', totalBytes: total, completedBytes: completed, message: state };
  if (t.status === 4) return { state: 'active', totalBytes: total, completedBytes: completed, message: t.metadataPercentComplete < 1 ? 'fetching metadata' : state };
  return { state: 'waiting', totalBytes: total, completedBytes: completed, message: t.errorString ? `${state}: ${t.errorString}` : state };
}
