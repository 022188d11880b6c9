import type { Logger } from 'pino';
import type { DriverFacts } from './storage/index.js';
import type { GuardOptions } from './guard.js';
import { Mount, type MountPolicy, type MountSpec, type MountStatus, type OpenedDriver } from './mount.js';
import type { MountTable } from './mount-table.js';
import { normalizePath } from './paths.js';
import { Turns } from './turns.js';

/** Where mount configurations come from (the database, in the server). */
export interface StorageSource {
  list(): Promise<StorageConfig[]>;
  /** Changes whenever any stored configuration changes; polled to pick up edits from elsewhere. */
  changeStamp(): Promise<string>;
}

export interface StorageConfig {
  id: number;
  mountPath: string;
  driverId: string;
  order: number;
  cacheTtlMs: number;
  disabled: boolean;
  version: string;
  modified: Date;
  /** The driver's options as stored (JSON text); opaque to core. */
  addition: string;
  policy: MountPolicy;
}

/** Builds drivers for configurations; knows the driver registry, core does not. */
export interface MountFactory {
  facts(driverId: string): DriverFacts | undefined;
  open(config: StorageConfig, signal: AbortSignal, logger: Logger): OpenedDriver;
}

export interface MountManagerOptions {
  table: MountTable;
  source: StorageSource;
  factory: MountFactory;
  logger: Logger;
  initTimeoutMs: number;
  retry: { initialDelayMs: number; maxDelayMs: number };
  guard: GuardOptions;
  staleMaxAgeMs: number;
  /** How often to look for configuration changes made elsewhere; 0 turns polling off. */
  pollMs: number;
}

export interface MountInfo {
  spec: MountSpec;
  status: MountStatus;
}

const FALLBACK_FACTS: DriverFacts = {
  caseSensitive: true,
  emptyDirs: true,
  mtimePrecisionMs: 0,
  setsMtime: false,
  hashes: [],
  unknownSizeWrites: false,
  proxyOnly: true,
};

/**
 * Keeps the mount table in step with the stored configurations: starts every mount at once
 * without waiting, replaces mounts whose configuration changed, closes removed or disabled ones.
 */
export class MountManager {
  private readonly mounts = new Map<number, Mount>();
  private readonly opts: MountManagerOptions;
  private stamp: string | undefined;
  private poller: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  /** Mounts open one per event-loop turn, after start() has returned (and the server listens). */
  private readonly turns = new Turns();

  constructor(options: MountManagerOptions) {
    this.opts = options;
  }

  /** Loads configurations and starts every mount in the background; returns without waiting for inits. */
  async start(): Promise<void> {
    await this.reconcile();
    if (this.opts.pollMs > 0) {
      this.poller = setInterval(() => void this.poll(), this.opts.pollMs);
      this.poller.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    await this.reconciling;
    await Promise.all([...this.mounts.values()].map((m) => m.close()));
    for (const m of this.mounts.values()) this.opts.table.delete(m.path);
    this.mounts.clear();
  }

  list(): MountInfo[] {
    return [...this.mounts.values()]
      .map((m) => ({ spec: m.spec, status: m.status() }))
      .sort((a, b) => a.spec.order - b.spec.order || a.spec.mountPath.localeCompare(b.spec.mountPath));
  }

  get(id: number): Mount | undefined {
    return this.mounts.get(id);
  }

  /** Re-reads the configurations now (after an edit through the API, say). */
  reconcile(): Promise<void> {
    const run = (this.reconciling ?? Promise.resolve()).then(() => this.doReconcile());
    this.reconciling = run.finally(() => {
      if (this.reconciling === run) this.reconciling = undefined;
    });
    return run;
  }

  private async poll(): Promise<void> {
    try {
      const stamp = await this.opts.source.changeStamp();
      if (stamp !== this.stamp) await this.reconcile();
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not check storage configuration for changes');
    }
  }

  private async doReconcile(): Promise<void> {
    this.stamp = await this.opts.source.changeStamp();
    const configs = await this.opts.source.list();
    const seen = new Set<number>();
    const closing: Promise<void>[] = [];
    for (const cfg of configs) {
      seen.add(cfg.id);
      const current = this.mounts.get(cfg.id);
      if (current && current.spec.version === cfg.version) continue;
      if (current) closing.push(this.unmount(current));
      this.mount(cfg);
    }
    for (const [id, m] of this.mounts) if (!seen.has(id)) closing.push(this.unmount(m));
    await Promise.all(closing);
  }

  private mount(cfg: StorageConfig): void {
    const spec: MountSpec = {
      id: cfg.id,
      driverId: cfg.driverId,
      order: cfg.order,
      cacheTtlMs: cfg.cacheTtlMs,
      disabled: cfg.disabled,
      version: cfg.version,
      modified: cfg.modified,
      policy: cfg.policy,
      mountPath: normalizePath(cfg.mountPath),
      facts: this.opts.factory.facts(cfg.driverId) ?? FALLBACK_FACTS,
    };
    const logger = this.opts.logger.child({ mount: spec.mountPath });
    const mount = new Mount(spec, {
      open: (signal) => this.opts.factory.open(cfg, signal, logger),
      logger,
      initTimeoutMs: this.opts.initTimeoutMs,
      retry: this.opts.retry,
      guard: this.opts.guard,
      staleMaxAgeMs: this.opts.staleMaxAgeMs,
    });
    this.mounts.set(cfg.id, mount);
    if (!spec.disabled) this.opts.table.set(mount);
    mount.start(() => this.turns.next());
  }

  private async unmount(m: Mount): Promise<void> {
    if (this.mounts.get(m.spec.id) === m) this.mounts.delete(m.spec.id);
    if (this.opts.table.get(m.path) === m) this.opts.table.delete(m.path);
    await m.close();
  }
}
