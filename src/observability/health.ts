import type { MountInfo } from '../core/mount-manager.js';

export interface MountHealth {
  id: number;
  mount_path: string;
  driver: string;
  state: string;
  error: string | null;
  since: string;
  last_error_at: string | null;
  next_retry_at: string | null;
  attempts: number;
}

export function mountHealth(info: MountInfo): MountHealth {
  const s = info.status;
  return {
    id: info.spec.id,
    mount_path: info.spec.mountPath,
    driver: info.spec.driverId,
    state: s.state,
    error: s.error,
    since: s.since.toISOString(),
    last_error_at: s.lastErrorAt?.toISOString() ?? null,
    next_retry_at: s.nextRetryAt?.toISOString() ?? null,
    attempts: s.attempts,
  };
}
