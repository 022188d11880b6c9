import { TaskState, type TaskKind } from '../api/tasks';
import type { MessageKey } from '../i18n/en';

const STATE_LABELS: Record<number, MessageKey> = {
  [TaskState.Pending]: 'taskPending',
  [TaskState.Running]: 'taskRunning',
  [TaskState.Succeeded]: 'taskSucceeded',
  [TaskState.Canceling]: 'taskCanceling',
  [TaskState.Canceled]: 'taskCanceled',
  [TaskState.Errored]: 'taskErrored',
  [TaskState.Failing]: 'taskFailing',
  [TaskState.Failed]: 'taskFailed',
  [TaskState.WaitingRetry]: 'taskWaitingRetry',
  [TaskState.BeforeRetry]: 'taskBeforeRetry',
};

const STATE_COLORS: Record<number, string> = {
  [TaskState.Pending]: 'gray',
  [TaskState.Running]: 'blue',
  [TaskState.Succeeded]: 'teal',
  [TaskState.Canceling]: 'orange',
  [TaskState.Canceled]: 'gray',
  [TaskState.Errored]: 'yellow',
  [TaskState.Failing]: 'red',
  [TaskState.Failed]: 'red',
  [TaskState.WaitingRetry]: 'yellow',
  [TaskState.BeforeRetry]: 'yellow',
};

export function stateLabel(state: number): MessageKey {
  return STATE_LABELS[state] ?? 'taskUnknown';
}

export function stateColor(state: number): string {
  return STATE_COLORS[state] ?? 'gray';
}

const KIND_LABELS: Record<TaskKind, MessageKey> = {
  copy: 'copy',
  move: 'move',
  upload: 'upload',
  offline_download: 'kindOfflineDownload',
  offline_download_transfer: 'kindOfflineTransfer',
  decompress: 'kindDecompress',
  decompress_upload: 'kindDecompressUpload',
};

export function kindLabel(kind: TaskKind): MessageKey {
  return KIND_LABELS[kind];
}

/** The page's state filter: all, undone ("running"), final ("done"), failed. */
export type StateFilter = 'all' | 'running' | 'done' | 'failed';
