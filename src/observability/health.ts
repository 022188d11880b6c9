import type { MountInfo } from '../core/mount-manager.js';
import type { Mount } from '../core/mount.js';

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
  connections: { open: number; idle: number; busy: number; queued: number };
  requests_in_flight: number;
  upstream_errors: number;
  /** Driver-specific state, such as an OAuth token's route and last refresh. */
  details: Record<string, unknown> | null;
}

export function mountHealth(info: MountInfo, mount?: Mount): MountHealth {
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
    connections: mount?.connections() ?? { open: 0, idle: 0, busy: 0, queued: 0 },
    requests_in_flight: mount?.counters.inflight ?? 0,
    upstream_errors: mount?.counters.upstreamErrors ?? 0,
    details: mount?.details() ?? null,
  };
}
