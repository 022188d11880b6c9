import { z } from 'zod';
import type { TaskRecord } from '../tasks/store.js';
import { DELETE_POLICIES, type DeletePolicy, TOOL_NAMES, type ToolName } from './tool.js';

const Stored = z.object({ tool: z.enum(TOOL_NAMES), deletePolicy: z.enum(DELETE_POLICIES), parent: z.string().optional() });

export interface OfflineOptions {
  tool: ToolName;
  deletePolicy: DeletePolicy;
  /** Transfers: the download task they came from. */
  parent?: string;
}

/** The offline part of a task's stored options, checked (a row edited by hand fails its task, with the cause). */
export function offlineOptions(task: TaskRecord): OfflineOptions {
  const parsed = Stored.safeParse(task.options.offline);
  if (!parsed.success) throw new Error(`task ${task.id} has no valid offline-download options`);
  return parsed.data;
}

/** The id of a download's transfer task: fixed, so that it is made at most once. */
export function transferIdOf(downloadId: string): string {
  return `${downloadId}-t`;
}
