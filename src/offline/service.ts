import { stat } from 'node:fs/promises';
import { FsError } from '../core/errors.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import type { KindHandler } from '../tasks/kinds.js';
import { FINAL_STATES, TaskState, type TaskKind } from '../tasks/states.js';
import type { NewTask, TaskRecord, TaskStore } from '../tasks/store.js';
import { Aria2Tool } from './aria2.js';
import { DownloadKind } from './download-kind.js';
import { OfflineKeys, OfflineSettings, type SettingsView } from './settings.js';
import { removeStaging } from './staging.js';
import { offlineOptions } from './task-options.js';
import { type DeletePolicy, type ExternalTool, TOOL_NAMES, type ToolName, ToolRefused, ToolUnavailable, deletesStaging } from './tool.js';
import { TransferKind } from './transfer-kind.js';
import { TransmissionTool } from './transmission.js';
import { UrlRefused, checkHost, parseSource } from './url-check.js';

/** The part of the task runner the offline downloads use. */
export interface OfflineRunner {
  register(kind: TaskKind, handler: KindHandler): void;
  submit(input: NewTask): Promise<TaskRecord>;
}

export interface OfflineLogger {
  warn(obj: object, msg: string): void;
}

export interface OfflineDeps {
  fs: VirtualFs;
  store: TaskStore;
  runner: OfflineRunner;
  settings: SettingsView;
  dataDir: string;
  logger: OfflineLogger;
  /** How often external tools are polled (default 1 s). */
  pollMs?: number;
}

export interface AddRequest {
  urls: readonly string[];
  /** The absolute virtual folder the files go into (already authorized). */
  path: string;
  tool: string;
  deletePolicy: DeletePolicy;
  creator: { id: number; name: string; role: number };
}

/** How often final tasks are looked at for staged files or tool downloads left behind. */
const SWEEP_MS = 30_000;

/** A URL for a task name: a password in it is not shown. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.href;
  } catch {
    return url;
  }
}

/** The tools an administrator configured: SimpleHttp always, the others once their endpoint is set. */
export function configuredTools(settings: SettingsView): ToolName[] {
  const s = new OfflineSettings(settings, '');
  const out: ToolName[] = ['SimpleHttp'];
  if (s.get(OfflineKeys.aria2Uri) !== '') out.push('aria2');
  if (s.get(OfflineKeys.transmissionUri) !== '') out.push('Transmission');
  return out;
}

/**
 * Offline downloads: checks and queues them (`offline_download` tasks), runs both of their kinds
 * on the task engine, and owns the external tools' connections.
 */
export class OfflineDownloads {
  readonly settings: OfflineSettings;
  private readonly tools: Map<string, ExternalTool>;
  private readonly download: DownloadKind;
  private readonly transfer: TransferKind;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: OfflineDeps) {
    this.settings = new OfflineSettings(deps.settings, deps.dataDir);
    const tools: ExternalTool[] = [new Aria2Tool(this.settings), new TransmissionTool(this.settings)];
    this.tools = new Map(tools.map((t) => [t.name, t]));
    this.download = new DownloadKind({ fs: deps.fs, store: deps.store, settings: this.settings, tools: this.tools, pollMs: deps.pollMs ?? 1000 });
    this.transfer = new TransferKind(deps.fs);
  }

  /** Registers both kinds with the runner, then tidies what ended while no server ran. */
  start(): void {
    this.deps.runner.register('offline_download', this.download);
    this.deps.runner.register('offline_download_transfer', this.transfer);
    void this.sweep(undefined);
    this.sweeper = setInterval(() => void this.sweep(new Date(Date.now() - 10 * SWEEP_MS)), SWEEP_MS);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.allSettled([...this.tools.values()].map((t) => t.close()));
  }

  configured(): ToolName[] {
    return configuredTools(this.deps.settings);
  }

  /** The "test connection" answer: the tool's version, or why it cannot be reached. */
  async test(name: string): Promise<string> {
    if (name === 'SimpleHttp') return 'SimpleHttp is built in';
    const tool = this.external(name);
    if (!tool.configured()) throw new ToolRefused(tool.name, `${tool.name} is not configured`);
    return tool.probe();
  }

  /**
   * Checks every URL (scheme, the SSRF rule on its resolved addresses, what the tool takes), that
   * the tool answers and that the target is a folder of a storage, then queues one task per URL.
   * Nothing is queued when anything is refused.
   */
  async add(req: AddRequest): Promise<TaskRecord[]> {
    const tool = this.toolFor(req.tool);
    const urls = req.urls.map((u) => u.trim()).filter((u) => u !== '');
    if (urls.length === 0) throw new FsError('invalid_input', 'no URL to download');
    for (const text of urls) {
      const source = parseSource(text);
      if (source.kind === 'magnet' && (tool === 'SimpleHttp' || !this.external(tool).accepts('magnet'))) {
        throw new UrlRefused(`${tool} cannot download magnet links`);
      }
      if (source.kind === 'http') await checkHost(source.url, this.settings.allowPrivate());
    }
    if (tool !== 'SimpleHttp') {
      try {
        await this.external(tool).probe();
      } catch (err) {
        const why = `the offline download tool ${tool} is not available: ${(err as Error).message}`;
        throw err instanceof ToolUnavailable ? new ToolUnavailable(tool, why, { cause: err }) : new ToolRefused(tool, why);
      }
    }
    await this.requireFolder(req.path);
    const tasks: TaskRecord[] = [];
    for (const url of urls) {
      tasks.push(
        await this.deps.runner.submit({
          kind: 'offline_download',
          name: `download ${shown(url)} to (${req.path})`,
          creator: req.creator,
          src: url,
          dst: req.path,
          options: { conflict: 'overwrite', offline: { tool, deletePolicy: req.deletePolicy } },
        }),
      );
    }
    return tasks;
  }

  private toolFor(name: string): ToolName {
    const known = TOOL_NAMES.find((t) => t.toLowerCase() === name.trim().toLowerCase());
    if (!known) throw new FsError('invalid_input', `unknown offline download tool "${name}" (${TOOL_NAMES.join(', ')})`);
    if (known === 'SimpleHttp') return known;
    const tool = this.tools.get(known);
    if (!tool) throw new FsError('not_supported', `the offline download tool ${known} is not supported by this server yet`);
    if (!tool.configured()) throw new ToolRefused(known, `the offline download tool ${known} is not configured`);
    return known;
  }

  private external(name: string): ExternalTool {
    const tool = this.tools.get(name);
    if (!tool) throw new FsError('not_supported', `the offline download tool ${name} is not supported by this server yet`);
    return tool;
  }

  private async requireFolder(path: string): Promise<void> {
    const mount = this.deps.fs.mountOf(path);
    if (!mount) throw new FsError('not_found', `no storage holds ${path}`);
    let writable = true;
    try {
      writable = mount.driver().write !== undefined;
    } catch {
      // Down right now: the task is queued all the same and its transfer waits for the storage.
    }
    if (!writable) throw new FsError('not_supported', `the storage at ${mount.path} does not take uploads`);
    const existing = await this.deps.fs.lookup(path).catch(() => undefined);
    if (existing && !existing.isDir) throw new FsError('not_a_directory', `${path} is a file, not a folder`);
  }

  /**
   * Final tasks whose clean-up did not happen (a cancel that finished a task at once, a crash
   * between a task's end and its clean-up): tool downloads are removed, staged files go by the
   * delete policy. `since`: only tasks that ended after it.
   */
  private async sweep(since: Date | undefined): Promise<void> {
    try {
      for (const kind of ['offline_download', 'offline_download_transfer'] as const) {
        for (const task of await this.deps.store.list({ kind, states: FINAL_STATES })) {
          if (since && (task.endedAt ?? task.createdAt) < since) continue;
          await this.tidy(task).catch((err: unknown) => this.deps.logger.warn({ task: task.id, err: (err as Error).message }, 'offline download could not be tidied'));
        }
      }
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'offline downloads could not be tidied');
    }
  }

  private async tidy(task: TaskRecord): Promise<void> {
    const dir = task.kind === 'offline_download' ? this.settings.stagingDir(task.id) : task.src;
    if (task.kind === 'offline_download' && task.state !== TaskState.Succeeded) await this.download.forget(dir).catch(() => undefined);
    if (!(await stat(dir).catch(() => undefined))) return;
    // A download that succeeded hands its files to its transfer, whose end decides.
    if (task.kind === 'offline_download' && task.state === TaskState.Succeeded) return;
    if (deletesStaging(offlineOptions(task).deletePolicy, task.state === TaskState.Succeeded)) await removeStaging(dir);
  }
}
