import { Agent } from 'undici';
import type { Logger } from 'pino';
import { FsError } from '../../core/errors.js';
import type { AnyDriverDefinition } from '../define-driver.js';
import type { ConnectionStats, Driver, TokenStore, Tree } from '../../core/storage/index.js';
import { EMPTY_TREE } from '../../core/storage/empty-tree.js';

export interface OpenDriverEnv {
  logger: Logger;
  tokens: TokenStore;
  tempDir: string;
  signal: AbortSignal;
  /** The other mounts' files, for virtual storages; an empty tree when not given. */
  tree?: Tree;
  /** Upper bound on sockets this mount may hold to one origin. */
  connections?: number;
}

export interface OpenDriverResult {
  driver: Driver;
  release(): Promise<void>;
  /** Sockets held now: the mount's dispatcher plus whatever the driver reports of its own. */
  stats(): ConnectionStats;
}

/** Sums undici's per-origin pool figures. */
function dispatcherStats(agent: Agent): ConnectionStats {
  const out: ConnectionStats = { open: 0, idle: 0, busy: 0, queued: 0 };
  for (const s of Object.values(agent.stats ?? {}) as { connected?: number; free?: number; pending?: number; queued?: number }[]) {
    out.open += s.connected ?? 0;
    out.idle += s.free ?? 0;
    out.queued += (s.pending ?? 0) + (s.queued ?? 0);
  }
  out.busy = out.open - out.idle;
  return out;
}

/** Parses stored options into a readable error listing every bad option. */
export function parseDriverOptions(def: AnyDriverDefinition, raw: unknown): Record<string, unknown> {
  const parsed = def.schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
  throw new FsError('invalid_input', `invalid ${def.id} options: ${problems.join('; ')}`);
}

/**
 * Builds one mount's driver with a pooled, bounded HTTP dispatcher of its own; `release` closes
 * the driver and then every socket the mount held.
 */
export function openDriver(def: AnyDriverDefinition, rawOptions: unknown, env: OpenDriverEnv): OpenDriverResult {
  const options = parseDriverOptions(def, rawOptions);
  // A driver's own max_connections option, when it declares one, bounds the mount's sockets.
  const declared = typeof options.max_connections === 'number' && options.max_connections > 0 ? options.max_connections : undefined;
  const dispatcher = new Agent({
    connections: env.connections ?? declared ?? 16,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    headersTimeout: 30_000,
    bodyTimeout: 120_000,
    connect: { timeout: 15_000 },
  });
  const driver = def.create(options as never, { logger: env.logger, dispatcher, tokens: env.tokens, tempDir: env.tempDir, signal: env.signal, tree: env.tree ?? EMPTY_TREE });
  return {
    driver,
    stats: () => {
      const a = dispatcherStats(dispatcher);
      const b = driver.connectionStats?.();
      return b ? { open: a.open + b.open, idle: a.idle + b.idle, busy: a.busy + b.busy, queued: a.queued + b.queued } : a;
    },
    release: async () => {
      try {
        await driver.close?.();
      } finally {
        await dispatcher.destroy();
      }
    },
  };
}
