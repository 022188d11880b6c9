import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskInfo } from '../../src/server/api/tasks.js';
import { TaskState } from '../../src/tasks/states.js';
import type { ApiClient } from '../helpers/api.js';
import { waitFor } from '../helpers/server.js';
import { sha256 } from './source-server.js';

/** Every file below `root` with its SHA-256 (folders end in `/`), hidden ones included. */
export function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.set(`${r}/`, '');
        walk(join(dir, e.name), r);
      } else out.set(r, sha256(readFileSync(join(dir, e.name))));
    }
  };
  walk(root, '');
  return out;
}

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

