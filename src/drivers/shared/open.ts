import { createRequire } from 'node:module';
import type { Agent } from 'undici';
import type { Logger } from 'pino';
import { FsError } from '../../core/errors.js';
import type { AnyDriverDefinition } from '../define-driver.js';
import type { ConnectionStats, Driver, SiteView, TokenStore, Tree } from '../../core/storage/index.js';
import { EMPTY_TREE, NO_SITE } from '../../core/storage/empty-tree.js';

export interface OpenDriverEnv {
  logger: Logger;
  tokens: TokenStore;
  tempDir: string;
  signal: AbortSignal;
  /** The other mounts' files, for virtual storages; an empty tree when not given. */
  tree?: Tree;
  /** The server around the driver; a server that signs nothing when not given. */
  site?: SiteView;
  /** Upper bound on sockets this mount may hold to one origin. */
  connections?: number;
}

export interface OpenDriverResult {
  driver: Driver;
  release(): Promise<void>;
  /** Sockets held now: the mount's dispatcher plus whatever the driver reports of its own. */
  stats(): ConnectionStats;
}

/**
 * undici (about a hundred modules) loads when a driver first asks for its dispatcher, not at
 * start-up: a server of Local mounts never loads it. Synchronously, so opening a mount stays
 * synchronous; undici is a CommonJS package, and `import` hands out this same instance.
 */
const loadUndici = (): typeof import('undici') => createRequire(import.meta.url)('undici') as typeof import('undici');

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
 * Builds one mount's driver with a pooled, bounded HTTP dispatcher of its own (made when the
 * driver first asks for it); `release` closes the driver and then every socket the mount held.
 */
export function openDriver(def: AnyDriverDefinition, rawOptions: unknown, env: OpenDriverEnv): OpenDriverResult {
  const options = parseDriverOptions(def, rawOptions);
  // A driver's own max_connections option, when it declares one, bounds the mount's sockets.
  const declared = typeof options.max_connections === 'number' && options.max_connections > 0 ? options.max_connections : undefined;
  // Made when the driver first reads ctx.dispatcher (drivers without HTTP never do).
  let dispatcher: Agent | undefined;
  let released = false;
  const pooled = (): Agent => {
    if (dispatcher) return dispatcher;
    dispatcher = new (loadUndici().Agent)({
      connections: env.connections ?? declared ?? 16,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      headersTimeout: 30_000,
      bodyTimeout: 120_000,
      connect: { timeout: 15_000 },
    });
    // Asked for after release: as closed as the one release would have destroyed.
    if (released) void dispatcher.destroy().catch(() => undefined);
    return dispatcher;
  };
  const ctx = {
    logger: env.logger,
    get dispatcher() {
      return pooled();
    },
    tokens: env.tokens,
    tempDir: env.tempDir,
    signal: env.signal,
    tree: env.tree ?? EMPTY_TREE,
    site: env.site ?? NO_SITE,
  };
  const driver = def.create(options as never, ctx);
  return {
    driver,
    stats: () => {
      const a = dispatcher ? dispatcherStats(dispatcher) : { open: 0, idle: 0, busy: 0, queued: 0 };
      const b = driver.connectionStats?.();
      return b ? { open: a.open + b.open, idle: a.idle + b.idle, busy: a.busy + b.busy, queued: a.queued + b.queued } : a;
    },
    release: async () => {
      released = true;
      try {
        await driver.close?.();
      } finally {
        await dispatcher?.destroy();
      }
    },
  };
}
