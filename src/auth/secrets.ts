import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/client.js';
import { type SaveStateOptions, type StorageInput, type StoragePatch, StorageRepository } from '../db/repositories/storages.js';
import { restrictToOwner } from '../lib/file-mode.js';

export { restrictToOwner };

/** Marks a sealed value: `enc:v1:<base64 of iv(12) | tag(16) | ciphertext>`. */
export const SEALED_PREFIX = 'enc:v1:';
export const SECRET_KEY_FILE = 'secret.key';

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** Seals and opens short secret strings; what the settings service needs of a SecretBox. */
export interface Sealer {
  seal(plain: string): string;
  open(value: string): string;
}

/**
 * AES-256-GCM over short secret strings (storage passwords, keys, refresh tokens, the admin
 * token and the link signing key), with one
 * 32-byte key kept in `<data>/secret.key` (mode 0600). Plain values pass through `open` unchanged,
 * so values stored before sealing existed keep working until they are next saved.
 */
export class SecretBox implements Sealer {
  private constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a secret key must be 32 bytes');
  }

  static fromKey(key: Buffer): SecretBox {
    return new SecretBox(key);
  }

  /** The configured key (base64) when there is one, else `<dir>/secret.key`. */
  static forConfig(config: { data: string; secret_key: string }): SecretBox {
    return config.secret_key ? new SecretBox(Buffer.from(config.secret_key, 'base64')) : SecretBox.forDataDir(config.data);
  }

  /** Reads `<dir>/secret.key`, creating it (exclusively, 0600) on first use; an existing one is set to 0600. */
  static forDataDir(dir: string): SecretBox {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, SECRET_KEY_FILE);
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      restrictToOwner(file);
    }
    const raw = readFileSync(file);
    const key = raw.length === 32 ? raw : Buffer.from(raw.toString('utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key (base64); restore it from a backup`);
    return new SecretBox(key);
  }

  seal(plain: string): string {
    if (isSealed(plain)) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain value; throws when a sealed value was sealed with another key or was altered. */
  open(value: string): string {
    if (!isSealed(value)) return value;
    const raw = Buffer.from(value.slice(SEALED_PREFIX.length), 'base64');
    if (raw.length < 28) throw new Error('a sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`a sealed secret cannot be decrypted with this server's key (${SECRET_KEY_FILE} or secret_key): give every instance the key of the one that saved it`);
    }
  }

  /** Seals the non-empty string values of `keys` in an options object. */
  sealOptions(options: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
    const out = { ...options };
    for (const k of keys) {
      const v = out[k];
      if (typeof v === 'string' && v !== '') out[k] = this.seal(v);
    }
    return out;
  }

  /** Opens every sealed string value of an options object. */
  openOptions(options: Record<string, unknown>): Record<string, unknown> {
    const out = { ...options };
    for (const [k, v] of Object.entries(out)) if (isSealed(v)) out[k] = this.open(v);
    return out;
  }
}

/** Which option keys of a driver are declared `secret: true`. */
export type SecretKeys = (driver: string) => readonly string[];

/**
 * The storages repository, sealing secret options in `addition` on every write (create, update),
 * and a driver's saved token state (rotated OAuth access and refresh tokens) whole. Reads of
 * `addition` return sealed values: only the mount factory opens them, when a driver is opened;
 * `loadState` opens the state for the driver that asked.
 */
export class SealingStorageRepository extends StorageRepository {
  constructor(db: Db, private readonly box: SecretBox, private readonly secretKeys: SecretKeys) {
    super(db);
  }

  private sealAddition(driver: string, addition: string): string {
    const keys = this.secretKeys(driver);
    if (keys.length === 0) return addition;
    let parsed: unknown;
    try {
      parsed = JSON.parse(addition);
    } catch {
      return addition;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return addition;
    return JSON.stringify(this.box.sealOptions(parsed as Record<string, unknown>, keys));
  }

  override async create(input: StorageInput): Promise<number> {
    if (input.addition === undefined) return super.create(input);
    return super.create({ ...input, addition: this.sealAddition(input.driver, input.addition) });
  }

  override async update(id: number, patch: StoragePatch): Promise<boolean> {
    if (patch.addition === undefined) return super.update(id, patch);
    const driver = patch.driver ?? (await this.get(id))?.driver;
    if (driver === undefined) return false;
    return super.update(id, { ...patch, addition: this.sealAddition(driver, patch.addition) });
  }

  /** The state as the driver saved it; a state saved before sealing existed reads as it is. */
  override async loadState(id: number): Promise<string | undefined> {
    const stored = await super.loadState(id);
    return stored === undefined ? undefined : this.box.open(stored);
  }

  /**
   * Seals the state (an empty `{}` stays as the "nothing saved" default). With `expected` (plain
   * text), the write happens only if the stored state still opens to it; the condition is then on
   * the stored sealed text, so a change in between still makes it fail.
   */
  override async saveState(id: number, json: string, options: SaveStateOptions = {}): Promise<boolean> {
    const sealed = json === '{}' ? json : this.box.seal(json);
    if (options.expected === undefined) return super.saveState(id, sealed);
    const current = await super.loadState(id);
    if (current === undefined || this.box.open(current) !== options.expected) return false;
    return super.saveState(id, sealed, { expected: current });
  }
}
