import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FsError } from '../core/errors.js';
import { joinPath } from '../core/paths.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import type { ItemContext, KindHandler } from '../tasks/kinds.js';
import { TaskState, taskName } from '../tasks/states.js';
import type { TaskItem, TaskRecord, TaskStore } from '../tasks/store.js';
import type { OfflineSettings } from './settings.js';
import { simpleHttp } from './simple-http.js';
import { dropToolHandle, readToolHandle, removeStaging, requireSpace, writeToolHandle } from './staging.js';
import { offlineOptions, transferIdOf } from './task-options.js';
import { type ExternalTool, ToolRefused, ToolUnavailable, deletesStaging } from './tool.js';
import { checkHost, parseSource } from './url-check.js';

export interface DownloadKindDeps {
  fs: VirtualFs;
  store: TaskStore;
  settings: OfflineSettings;
  tools: ReadonlyMap<string, ExternalTool>;
  /** How often an external tool is asked how its download is doing. */
  pollMs: number;
}

/**
 * `offline_download`: one item, the download. SimpleHttp runs in this process; an external tool
 * is handed the URL and polled. Once every file is in the staging folder, the task makes its
 * `offline_download_transfer` task (at most once: its id is fixed) and is done.
 */
export class DownloadKind implements KindHandler {
  constructor(private readonly deps: DownloadKindDeps) {}

  async plan(_task: TaskRecord, onBatch: (items: { rel: string; isDir: boolean; size: number }[]) => Promise<void>): Promise<void> {
    await onBatch([{ rel: '', isDir: false, size: 0 }]);
  }

  /** The staging folder is this server's, not a storage: a download counts against no storage's limit. */
  touched(): string[] {
    return [];
  }

  waits(err: unknown): boolean {
    return err instanceof ToolUnavailable;
  }

  async run(task: TaskRecord, _item: TaskItem, ctx: ItemContext): Promise<{ skipped: boolean }> {
    // Finished before a crash: its transfer was made, nothing is downloaded again.
    if (await this.deps.store.get(transferIdOf(task.id))) return { skipped: false };
    const { tool } = offlineOptions(task);
    if (tool === 'SimpleHttp') return this.runSimple(task, ctx);
    const external = this.deps.tools.get(tool);
    if (!external) throw new ToolRefused(tool, `the offline download tool ${tool} is not available on this server`);
    await this.runExternal(task, external, ctx);
    await this.makeTransfer(task);
    return { skipped: false };
  }

  async settled(task: TaskRecord): Promise<void> {
    if (task.state === TaskState.Succeeded) return;
    const dir = this.deps.settings.stagingDir(task.id);
    // A tool that is down now forgets it later (the sweep asks again while the handle is kept).
    await this.forget(dir).catch(() => undefined);
    if (deletesStaging(offlineOptions(task).deletePolicy, false)) await removeStaging(dir);
  }

  /** Stops and forgets a download the tool still holds for a task that ended without it. */
  async forget(dir: string): Promise<void> {
    const held = await readToolHandle(dir);
    const tool = held ? this.deps.tools.get(held.tool) : undefined;
    if (!held || !tool) return;
    await tool.remove(held.handle);
    await dropToolHandle(dir);
  }

  private async runSimple(task: TaskRecord, ctx: ItemContext): Promise<{ skipped: boolean }> {
    const { fs, settings } = this.deps;
    const dir = settings.stagingDir(task.id);
    await ctx.onStatus('[SimpleHttp]: downloading');
    const outcome = await simpleHttp({
      url: parseSource(task.src).url,
      dir,
      sidecar: `${dir}.json`,
      allowPrivate: settings.allowPrivate(),
      signal: ctx.signal,
      onBytes: ctx.onBytes,
      onSize: ctx.onSize,
      direct: (name, body, size) => fs.write(joinPath(task.dst, name), body, { size, signal: ctx.signal }),
    });
    if (outcome.mode === 'direct') return { skipped: false };
    await ctx.onStatus('offline download completed, transferring');
    await this.makeTransfer(task);
    return { skipped: false };
  }

  private async runExternal(task: TaskRecord, tool: ExternalTool, ctx: ItemContext): Promise<void> {
    const { settings } = this.deps;
    const source = parseSource(task.src);
    if (!tool.configured()) throw new ToolRefused(tool.name, `the offline download tool ${tool.name} is not configured any more`);
    // Checked again on every attempt: the name may resolve elsewhere by now.
    if (source.kind === 'http') await checkHost(source.url, settings.allowPrivate());
    const dir = settings.stagingDir(task.id);
    await mkdir(dir, { recursive: true });
    const toolDir = settings.toolDir(tool.name, task.id);
    try {
      let handle = await tool.ensure(task.id, source.url.href, toolDir);
      await writeToolHandle(dir, { tool: tool.name, handle });
      await this.poll(task, tool, handle, ctx, async () => {
        handle = await tool.ensure(task.id, source.url.href, toolDir);
        await writeToolHandle(dir, { tool: tool.name, handle });
        return handle;
      });
      // Every file is in the staging folder: the tool may forget the download (its files stay).
      await tool.remove(handle).catch(() => undefined);
      await dropToolHandle(dir);
    } catch (err) {
      if (err instanceof ToolUnavailable) await ctx.onStatus(`waiting for ${tool.name}: ${err.message}`).catch(() => undefined);
      throw err;
    }
  }

  private async poll(task: TaskRecord, tool: ExternalTool, first: string, ctx: ItemContext, readd: () => Promise<string>): Promise<void> {
    let handle = first;
    let size = 0;
    let said = '';
    let spaceChecked = false;
    for (;;) {
      ctx.signal.throwIfAborted();
      const st = await tool.status(handle);
      if (!st) {
        // The tool was restarted without its session: added again, it continues the partial files.
        handle = await readd();
        continue;
      }
      ctx.onBytes(st.completedBytes);
      if (st.totalBytes > 0 && st.totalBytes !== size) {
        size = st.totalBytes;
        await ctx.onSize(size);
      }
      if (size > 0 && !spaceChecked) {
        spaceChecked = true;
        await requireSpace(this.deps.settings.stagingDir(task.id), size - st.completedBytes, task.src).catch(async (err: unknown) => {
          await tool.remove(handle).catch(() => undefined);
          throw err;
        });
      }
      const words = `[${tool.name}]: ${st.message}`;
      if (words !== said) {
        said = words;
        await ctx.onStatus(words);
      }
      if (st.state === 'complete') return;
      if (st.state === 'error' || st.state === 'removed') throw new ToolRefused(tool.name, `${tool.name} could not download ${task.src}: ${st.message}`);
      await sleep(this.deps.pollMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  }

  private async makeTransfer(task: TaskRecord): Promise<void> {
    const { fs, store, settings } = this.deps;
    const options = offlineOptions(task);
    const mount = fs.mountOf(task.dst);
    if (!mount) throw new FsError('not_found', `no storage holds ${task.dst} any more`);
    await store.createOnce({
      id: transferIdOf(task.id),
      kind: 'offline_download_transfer',
      name: taskName('transfer', `[](offline/${task.id})`, { mount: mount.path, path: task.dst }),
      creator: { id: task.creatorId, name: task.creatorName, role: task.creatorRole },
      src: settings.stagingDir(task.id),
      dst: task.dst,
      options: { conflict: 'overwrite', offline: { tool: options.tool, deletePolicy: options.deletePolicy, parent: task.id } },
    });
  }
}
