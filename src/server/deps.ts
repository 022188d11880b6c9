import type { Logger } from 'pino';
import type { ApiTokenService } from '../auth/api-token-service.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Gate } from '../auth/gate.js';
import type { MetaService } from '../auth/metas.js';
import type { Config } from '../config/schema.js';
import type { DriverCatalog } from '../core/driver-catalog.js';
import type { MountManager } from '../core/mount-manager.js';
import type { VirtualFs } from '../core/virtual-fs.js';
import type { Repositories } from '../db/repositories/index.js';
import type { FileService } from '../services/files.js';
import type { StorageService } from '../services/storages.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { TaskRunner } from '../tasks/runner.js';
import type { TaskStore } from '../tasks/store.js';
import type { SearchIndex } from '../search/search-index.js';

/** What the HTTP server needs; built by main.ts, or by a test. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  fs: VirtualFs;
  mounts: MountManager;
  auth: AuthService;
  apiTokens: ApiTokenService;
  settings: SettingsService;
  metas: MetaService;
  /** The one authorization gate every door asks before every operation. */
  gate: Gate;
  repos: Repositories;
  /** The storage-admin use cases (shared with the CLI). */
  storages: StorageService;
  /** File operations with their side effects beyond the storage (WebDAV dead properties). */
  files: FileService;
  /** The durable task queue and this instance's runner. */
  tasks: { store: TaskStore; runner: TaskRunner; stagingDir: string };
  /** The search index behind /api/fs/search and /api/admin/index/*. */
  search: SearchIndex;
  drivers: DriverCatalog;
  /** Resolves when the database answers. */
  checkDatabase(): Promise<void>;
  /**
   * Applies changes other processes committed (SQLite workers, the CLI) before a request is
   * handled; fast when there are none. Absent: nothing to pull (PostgreSQL pushes them).
   */
  syncChanges?: () => Promise<void>;
}
