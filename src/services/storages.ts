import type { DriverCatalog } from '../core/driver-catalog.js';
import { normalizePath } from '../core/paths.js';
import { ConflictError } from '../db/errors.js';
import type { StorageInput, StorageRecord, StorageRepository } from '../db/repositories/storages.js';

/** A storage change refused for what was asked (the doors answer it as a 400 or print it). */
export class StorageRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageRefusal';
  }
}

/** The part of the storage repository the service uses. */
export type StorageStore = Pick<StorageRepository, 'get' | 'getByMountPath' | 'list' | 'create' | 'update' | 'setDisabled' | 'remove' | 'saveState'>;

/**
 * The storage-admin use cases, shared by the API, the CLI and (through the API) the UI: options
 * checked against the driver's declarations, secrets kept when a form sends them blank, mount
 * paths unique, enable/disable idempotent. Applying a change to the live mounts is the caller's
 * (a running server reconciles; the CLI's change is picked up by the server's poll).
 */
export class StorageService {
  constructor(
    private readonly repo: StorageStore,
    private readonly drivers?: DriverCatalog,
  ) {}

  async get(id: number): Promise<StorageRecord> {
    const s = await this.repo.get(id);
    if (!s) throw new StorageRefusal('storage not found');
    return s;
  }

  /** By id, or by mount path (with or without its leading slash). */
  async find(ref: string): Promise<StorageRecord> {
    const byId = /^\d+$/.test(ref) ? await this.repo.get(Number(ref)) : undefined;
    const found = byId ?? (await this.repo.getByMountPath(normalizePath(ref.startsWith('/') ? ref : `/${ref}`)));
    if (!found) throw new StorageRefusal(`no storage with id or mount path "${ref}"`);
    return found;
  }

  /** The driver's options, validated and with defaults; refused with the problems named. */
  checkOptions(driver: string, addition: Record<string, unknown>): Record<string, unknown> {
    if (!this.drivers) throw new Error('this StorageService has no driver catalog');
    if (!this.drivers.get(driver)) throw new StorageRefusal(`driver [${driver}] not found`);
    const checked = this.drivers.check(driver, addition);
    if (!checked.ok) throw new StorageRefusal(`invalid ${driver} options: ${checked.problems.join('; ')}`);
    return checked.value;
  }

  async create(input: Omit<StorageInput, 'addition'>, addition: Record<string, unknown>): Promise<number> {
    const options = this.checkOptions(input.driver, addition);
    return this.unique(input.mountPath, () => this.repo.create({ ...input, mountPath: normalizePath(input.mountPath), addition: JSON.stringify(options) }));
  }

  /** A full update as AList's form sends it: the driver cannot change; blank secrets keep the stored ones. */
  async update(id: number, input: Omit<StorageInput, 'addition'>, addition: Record<string, unknown>): Promise<void> {
    const current = await this.get(id);
    if (current.driver !== input.driver) throw new StorageRefusal('driver cannot be changed');
    if (!this.drivers) throw new Error('this StorageService has no driver catalog');
    const merged = this.drivers.keepSecrets(input.driver, addition, parseObject(current.addition));
    const options = this.checkOptions(input.driver, merged);
    await this.unique(input.mountPath, () => this.repo.update(id, { ...input, mountPath: normalizePath(input.mountPath), addition: JSON.stringify(options) }));
  }

  async remove(id: number): Promise<void> {
    await this.get(id);
    await this.repo.remove(id);
  }

  /** Enables or disables; false when it already was (the doors say so in their own words). */
  async setEnabled(id: number, enabled: boolean): Promise<boolean> {
    const s = await this.get(id);
    if (s.disabled === !enabled) return false;
    await this.repo.setDisabled(id, !enabled);
    return true;
  }

  /** A new OAuth refresh token: the old chain's stored state goes first, then the option, which bumps the config. */
  async setRefreshToken(id: number, token: string): Promise<void> {
    const s = await this.get(id);
    const addition = parseObject(s.addition);
    addition.refresh_token = token.trim();
    await this.repo.saveState(s.id, '{}');
    await this.repo.update(s.id, { addition: JSON.stringify(addition) });
  }

  private async unique<T>(mountPath: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ConflictError) throw new StorageRefusal(`mount path ${normalizePath(mountPath)} is already used`);
      throw err;
    }
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
