import { FsError } from '../core/errors.js';
import type { UrlKind } from './url-check.js';

/** Tools as AList/OpenList name them. */
export const TOOL_NAMES = ['SimpleHttp', 'aria2', 'qBittorrent', 'Transmission'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** OpenList's delete policies: what happens to the tool's files once the transfer succeeded or failed. */
export const DELETE_POLICIES = ['delete_on_upload_succeed', 'delete_on_upload_failed', 'delete_never', 'delete_always'] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

/** Whether the staged files go after a transfer (or a download) that ended this way. */
export function deletesStaging(policy: DeletePolicy, succeeded: boolean): boolean {
  if (policy === 'delete_always') return true;
  if (policy === 'delete_never') return false;
  return succeeded ? policy === 'delete_on_upload_succeed' : policy === 'delete_on_upload_failed';
}

/** What an external tool reports about one download. */
export interface ToolStatus {
  /** `complete`: every file is in the download folder; `error` and `removed` are final failures. */
  state: 'waiting' | 'active' | 'paused' | 'complete' | 'error' | 'removed';
  completedBytes: number;
  /** 0 while unknown (a magnet before its metadata). */
  totalBytes: number;
  /** The tool's own words: shown as the task's status, or as its error. */
  message: string;
}

/**
 * A download tool that runs outside this server (aria2, Transmission; qBittorrent later) behind one
 * small interface. Every call has its own timeout; a tool that cannot be reached throws
 * `ToolUnavailable`, which makes new tasks fail at once and running ones wait.
 */
export interface ExternalTool {
  readonly name: ToolName;
  /** Its settings name an endpoint. */
  configured(): boolean;
  /** Asks the tool for its version: the "test connection" answer. */
  probe(): Promise<string>;
  /** Which sources it takes. */
  accepts(kind: UrlKind): boolean;
  /**
   * Makes sure the tool downloads `url` into `dir` (the tool's view of the folder) for task
   * `taskId`: adds it, or finds it when it was added before (after a restart of either side).
   * Returns the tool's handle for it.
   */
  ensure(taskId: string, url: string, dir: string): Promise<string>;
  /** The download's status; undefined when the tool does not know it (it was restarted without a session). */
  status(handle: string): Promise<ToolStatus | undefined>;
  /** Stops the download and makes the tool forget it; its files stay where they are. */
  remove(handle: string): Promise<void>;
  /** Closes the tool's connections. */
  close(): Promise<void>;
}

/** The tool cannot be reached: new tasks fail with this, running ones wait for it. */
export class ToolUnavailable extends FsError {
  constructor(
    readonly tool: ToolName,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super('storage_unavailable', message, { cause: options.cause, retryable: true, retryAfterMs: options.retryAfterMs ?? 3000 });
    this.name = 'ToolUnavailable';
  }
}

/** The tool answered but refused (a wrong secret, a bad request): not worth waiting for. */
export class ToolRefused extends FsError {
  constructor(readonly tool: ToolName, message: string) {
    // Not an upstream failure the runner would retry: the answer will not change by waiting.
    super('invalid_input', message);
    this.name = 'ToolRefused';
  }
}
