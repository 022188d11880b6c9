import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskInfo } from '../../src/server/api/tasks.js';
import { TaskState } from '../../src/tasks/states.js';
import type { ApiClient } from '../helpers/api.js';
import { waitFor } from '../helpers/server.js';
import { sha256 } from './source-server.js';

/** Every file below `root` with its SHA-256 (folders end in `/`), hidden ones included. */
export { tree } from '../helpers/files.js';

/** Waits for a task to reach a final state and returns its TaskInfo. */
export async function finished(api: ApiClient, kind: string, id: string, timeoutMs = 60_000): Promise<TaskInfo> {
  let info: TaskInfo | undefined;
  await waitFor(
    async () => {
      info = (await api.post<TaskInfo>(`/api/task/${kind}/info?tid=${id}`)).data;
      return info !== null && (info.state === TaskState.Succeeded || info.state === TaskState.Failed || info.state === TaskState.Canceled);
    },
    timeoutMs,
    `${kind} task ${id} to finish`,
  );
  return info as TaskInfo;
}

