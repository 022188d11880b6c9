import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CommanderError } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AuditRetention } from './auth/audit.js';
import { FsChangeBroadcaster } from './cluster/fs-changes.js';
import { ApiTokenService } from './auth/api-token-service.js';
import { AuthService } from './auth/auth-service.js';
import { bootstrap } from './auth/bootstrap.js';
import { Gate } from './auth/gate.js';
import { MetaService } from './auth/metas.js';
import { SealingStorageRepository, SecretBox } from './auth/secrets.js';
import { signPath } from './auth/sign.js';
import { buildCli } from './cli/index.js';
import { wireInvalidation } from './cluster/invalidation.js';
import { withLease } from './cluster/lease.js';
import { migrateExclusively } from './cluster/migrate-lock.js';
import { currentWorker, tagResponses, taskHolder } from './cluster/workers.js';
import type { Config } from './config/schema.js';
import { MountManager, type MountFactory, type StorageConfig, type StorageSource } from './core/mount-manager.js';
import { MountTable } from './core/mount-table.js';
import { realPathsOf, treeFor } from './core/tree.js';
import { type FsChange, VirtualFs } from './core/virtual-fs.js';
import { type Database, createDatabase } from './db/client.js';
import { createChangeNotifier } from './db/notify.js';
import { type Repositories, type StorageRecord, UserRepository, createRepositories } from './db/repositories/index.js';
import { builtinDrivers } from './drivers/all.js';
import { type AnyDriverDefinition, driverCatalog } from './drivers/define-driver.js';
import { DriverRegistry } from './drivers/registry.js';
import { openDriver } from './drivers/shared/open.js';
import type { SiteView, TokenStore } from './core/storage/index.js';
import { ALLOW_PRIVATE_KEY } from './offline/url-check.js';
import { createLogger } from './observability/logger.js';
import { createApp } from './server/app.js';
import { FileService } from './services/files.js';
import { StorageService } from './services/storages.js';
import { TaskRunner } from './tasks/runner.js';
import { type MountView, SearchIndex, SearchStore } from './search/index.js';
import { TaskStore } from './tasks/store.js';
import { SettingsService } from './settings/settings-service.js';
import { VERSION } from './version.js';

export interface StartOptions {
  config: Config;
  logger?: Logger;
  /** Driver definitions; the built-in list by default. */
  drivers?: readonly AnyDriverDefinition[];
  /** Listen on the configured host and port (default true); false builds everything without a socket. */
  listen?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The clock for token expiry (tests move it). */
  now?: () => number;
}

export interface Running {
  config: Config;
  logger: Logger;
  app: FastifyInstance;
  fs: VirtualFs;
  mounts: MountManager;
  database: Database;
  repos: Repositories;
  settings: SettingsService;
  drivers: DriverRegistry;
  /** Base URL the server listens on, when listening. */
  url: string;
  close(): Promise<void>;
}

/** Opens the database and brings it to the latest schema (one instance at a time on PostgreSQL). */
export async function openDatabase(
  config: Config,
  options: { sealSecrets?: readonly AnyDriverDefinition[] } = {},
): Promise<{ database: Database; repos: Repositories }> {
  const database = await createDatabase(config.db);
  try {
    await migrateExclusively(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  const repos = createRepositories(database.db);
  // Storage secrets are sealed with <data>/secret.key on every write by the server and the CLI.
  if (options.sealSecrets) {
    const box = SecretBox.forConfig(config);
    repos.storages = new SealingStorageRepository(database.db, box, secretKeys(options.sealSecrets));
    // TOTP secrets too, with the same key.
    repos.users = new UserRepository(database.db, box);
  }
  return { database, repos };
}

/** Every option key some driver declares secret: the logger redacts them all. */
export function secretOptionKeys(definitions: readonly AnyDriverDefinition[]): string[] {
  return [...new Set(definitions.flatMap((d) => Object.entries(d.options).filter(([, o]) => o.secret).map(([k]) => k)))];
}

function secretKeys(definitions: readonly AnyDriverDefinition[]): (driver: string) => readonly string[] {
  const byId = new Map(definitions.map((d) => [d.id, Object.entries(d.options).filter(([, o]) => o.secret).map(([k]) => k)]));
  return (driver) => byId.get(driver) ?? [];
}

export function storageConfig(r: StorageRecord): StorageConfig {
  return {
    id: r.id,
    mountPath: r.mountPath,
    driverId: r.driver,
    order: r.order,
    cacheTtlMs: Math.max(0, r.cacheExpiration) * 60_000,
    disabled: r.disabled,
    version: `${r.configVersion}:${r.disabled ? 0 : 1}`,
    modified: r.modified,
    addition: r.addition,
    policy: {
      webProxy: r.webProxy,
      enableSign: r.enableSign,
      webdavPolicy: r.webdavPolicy,
      downProxyUrl: r.downProxyUrl,
      orderBy: r.orderBy,
      orderDirection: r.orderDirection,
      extractFolder: r.extractFolder,
    },
  };
}

function storageTokens(repos: Repositories, id: number): TokenStore {
  return {
    withLock: (ttlMs, work) => withLease(repos.leases, `storage-tokens-${id}`, { ttlMs }, work),
    load: async () => {
      const text = await repos.storages.loadState(id);
      const value: unknown = text ? JSON.parse(text) : undefined;
      return value && typeof value === 'object' && Object.keys(value).length > 0 ? (value as Record<string, unknown>) : undefined;
    },
    save: async (value) => {
      await repos.storages.saveState(id, JSON.stringify(value));
    },
  };
}

interface SiteParts {
  config: Config;
  settings: SettingsService;
  gate: Gate;
  fs: () => VirtualFs;
  /** Where the server listens, once it does. */
  listening: () => string;
}

/** The server as drivers see it: links signed as /api/fs/get signs them, but never with a folder password's grant. */
function siteView(p: SiteParts): SiteView {
  return {
    baseUrl: () => (p.config.site_url.startsWith('http') ? p.config.site_url.replace(/\/+$/, '') : p.listening()),
    linkSign: (path, options = {}) => {
      if (p.gate.guarded(path)) return undefined;
      const needed = options.always === true || p.settings.bool('sign_all') || p.fs().mountOf(path)?.spec.policy.enableSign === true;
      return needed ? signPath(p.settings.signKey(), path, p.settings.linkExpirationHours(), Date.now()) : undefined;
    },
    allowPrivateAddresses: () => p.settings.bool(ALLOW_PRIVATE_KEY),
  };
}

function mountFactory(registry: DriverRegistry, repos: Repositories, tempRoot: string, secrets: SecretBox, fs: () => VirtualFs, site: SiteView): MountFactory {
  return {
    facts: (id) => registry.get(id)?.facts,
    open: (cfg, signal, logger) => {
      const def = registry.get(cfg.driverId);
      if (!def) throw new Error(`driver "${cfg.driverId}" is not known to this server`);
      const tempDir = join(tempRoot, String(cfg.id));
      mkdirSync(tempDir, { recursive: true });
      const parsed: unknown = JSON.parse(cfg.addition || '{}');
      const raw = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? secrets.openOptions(parsed as Record<string, unknown>) : parsed;
      return openDriver(def, raw, { logger, tokens: storageTokens(repos, cfg.id), tempDir, signal, tree: treeFor(fs, cfg.mountPath), site });
    },
  };
}

/** The mounts as the search index sees them: enabled ones, and whether they answer now. */
function searchMounts(mounts: MountManager): MountView[] {
  return mounts
    .list()
    .filter((m) => m.status.state !== 'disabled')
    .map((m) => ({ id: m.spec.id, path: m.spec.mountPath, ready: m.status.state === 'ready' || m.status.state === 'degraded' }));
}

/** How long a stopping server lets requests in flight finish before it closes their connections. */
const SHUTDOWN_GRACE_MS = 5000;

/** The composition root: builds every part, wires them, starts mounts in the background and listens. */
export async function startFilebridge(options: StartOptions): Promise<Running> {
  const { config } = options;
  const env = options.env ?? process.env;
  const drivers = new DriverRegistry(options.drivers ?? builtinDrivers());
  const logger = options.logger ?? createLogger({ level: config.log_level, secretKeys: secretOptionKeys(drivers.all()) });
  mkdirSync(config.data, { recursive: true });
  const { database, repos } = await openDatabase(config, { sealSecrets: drivers.all() });
  // Listening before the copies below are loaded, so no change made elsewhere falls in between.
  const notifier = await createChangeNotifier(config.db, { logger });
  await bootstrap({ repos, dataDir: config.data, logger, adminPassword: env.FILEBRIDGE_ADMIN_PASSWORD });
  // The admin token and the link signing key are sealed at rest with the same key as storage secrets.
  const settings = new SettingsService(repos.settings, VERSION, SecretBox.forConfig(config));
  await settings.init();
  // Metas of a case-insensitive storage guard every spelling of their path (fs is built below).
  const metas = new MetaService(repos.metas, { foldCase: (path) => fs.mountOf(path)?.spec.facts.caseSensitive === false });
  await metas.reload();
  // Paths through an Alias are held to the base path and metas of the folders they stand for (fs is built below).
  const gate = new Gate(metas, undefined, { realPaths: (path) => realPathsOf(fs, path) });
  const now = options.now ?? Date.now;
  const auth = new AuthService({ repos, settings, jwtSecret: config.jwt_secret, tokenLifetimeHours: config.token_expires_in, now });
  const apiTokens = new ApiTokenService(repos, now);
  const table = new MountTable();
  const worker = currentWorker();
  // Other instances (PostgreSQL) or workers (SQLite: sent before the request answers) hear which folders this one changed.
  const fsChanges = notifier.live || worker ? new FsChangeBroadcaster((topic) => notifier.publish(topic), notifier.live ? 50 : 0) : undefined;
  // Where the server listens, once it does: the base of links drivers make when site_url is unset.
  let listenUrl = '';
  // The search index (built below, once the mounts are) hears every change made through fs.
  let search: SearchIndex | undefined;
  const fs = new VirtualFs(table, { ...(fsChanges ? { onChange: (c: FsChange) => fsChanges.changed(c) } : {}), onEvent: (e) => search?.onEvent(e) });
  const source: StorageSource = {
    list: async () => (await repos.storages.list()).map(storageConfig),
    changeStamp: () => repos.storages.changeStamp(),
  };
  const mounts = new MountManager({
    table,
    source,
    factory: mountFactory(drivers, repos, join(config.data, 'temp'), SecretBox.forConfig(config), () => fs, siteView({ config, settings, gate, fs: () => fs, listening: () => listenUrl })),
    logger,
    initTimeoutMs: config.init_timeout_ms,
    retry: { initialDelayMs: config.retry_initial_ms, maxDelayMs: config.retry_max_ms },
    guard: { timeoutMs: config.upstream_timeout_ms, breakerThreshold: config.breaker_threshold, halfOpenMs: config.breaker_half_open_ms },
    staleMaxAgeMs: config.stale_max_age_ms,
    pollMs: config.storage_poll_ms,
  });
  const invalidation = wireInvalidation(
    notifier,
    { mounts, settings, metas, davLocks: repos.davLocks, ...(fsChanges ? { fs: { instance: fsChanges.instance, forgetChanged: (c) => fs.forgetChanged(c), forgetAll: () => fs.forgetAll() } } : {}) },
    logger,
  );
  const auditRetention = new AuditRetention(repos.audit, config.audit_retention_days, logger, now);
  await auditRetention.start();
  await mounts.start();
  const files = new FileService(fs, repos.davProps);
  const catalog = driverCatalog(drivers.all());
  const taskStore = new TaskStore(database.db, database.engine);
  const taskRunner = new TaskRunner(taskStore, fs, logger, {
    holder: taskHolder(config.instance_id || `${hostname()}:${resolve(config.data)}`, worker),
    concurrency: config.task_workers,
    perMount: config.task_workers_per_storage,
    leaseMs: config.task_lease_ms,
    pollMs: config.task_poll_ms,
    maxAttempts: config.task_max_attempts,
    retryBaseMs: config.task_retry_ms,
    afterSuccess: async (t) => {
      if (t.kind === 'move') await files.moved(t.src, t.dst);
      else if (t.kind === 'copy') await files.copied(t.src, t.dst);
    },
  });
  await taskRunner.start();
  search = new SearchIndex({ store: new SearchStore(database.db, database.engine), fs, settings, mounts: () => searchMounts(mounts), logger, locks: repos.leases });
  search.start();
  const app = await createApp({
    config,
    logger,
    fs,
    mounts,
    auth,
    apiTokens,
    settings,
    metas,
    gate,
    repos,
    files,
    storages: new StorageService(repos.storages, catalog),
    tasks: { store: taskStore, runner: taskRunner, stagingDir: join(config.data, 'temp', 'uploads') },
    search,
    drivers: catalog,
    checkDatabase: async () => {
      await repos.settings.get('__ping__');
    },
    syncChanges: notifier.sync,
  });
  if (worker) tagResponses(app.server, worker);
  let url = '';
  if (options.listen ?? true) {
    url = await app.listen({ host: config.host, port: config.port });
    listenUrl = url;
    logger.info({ url }, 'filebridge is listening');
  } else {
    await app.ready();
  }
  const close = async () => {
    auditRetention.stop();
    // Requests in flight get a grace period; a client that holds its connection open longer
    // (a stalled download, a half-sent body) is cut, so a stop never waits forever.
    const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await app.close();
    clearTimeout(cut);
    await taskRunner.stop();
    await search.stop();
    await fsChanges?.flush();
    await invalidation.stop();
    await notifier.close();
    await mounts.stop();
    await database.close();
  };
  return { config, logger, app, fs, mounts, database, repos, settings, drivers, url, close };
}

/** Runs the `filebridge` command line. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli({ start: startFilebridge, openDatabase: (config) => openDatabase(config, { sealSecrets: builtinDrivers() }) }).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) void runCli(process.argv);
