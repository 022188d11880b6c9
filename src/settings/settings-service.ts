import { type Sealer, isSealed } from '../auth/secrets.js';
import { linkExpirationHours, newSignKey } from '../auth/sign.js';
import type { SettingInput, SettingRecord, SettingRepository } from '../db/repositories/settings.js';
import { type SettingDefault, SettingFlag, defaultSettings, newAdminToken, settingKeys } from './defaults.js';
import { invalidSettingValue } from './validate.js';

/** What the settings API shows of a setting besides its stored fields: the declaration's. */
export interface SettingDeclaration {
  options: string;
  help: string;
  /** Position in the declarations (OpenList's `index`); declared keys come first. */
  index: number;
}

/** An absolute http(s) URL without trailing slashes, or '' when `text` is not one. */
function baseUrl(text: string): string {
  const value = text.trim();
  if (value === '') return '';
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
    let end = value.length;
    while (end > 0 && value.charCodeAt(end - 1) === 0x2f) end--;
    return value.slice(0, end);
  } catch {
    return '';
  }
}

/**
 * Settings with an in-memory copy for the hot paths (signing, list types); every write goes to
 * the database first and then refreshes the copy. Keys declared `sealed` (the admin token, the
 * link signing key) are stored sealed and held opened in memory; keys declared `internal` (the
 * signing key) are the server's own: `list`, `record` and `publicMap` never show them, and
 * `save` and `remove` leave them alone.
 */
export class SettingsService {
  private values = new Map<string, SettingRecord>();
  private readonly sealed: ReadonlySet<string>;
  private readonly internal: ReadonlySet<string>;
  private readonly declared: ReadonlyMap<string, SettingDefault & { index: number }>;

  constructor(private readonly repo: SettingRepository, private readonly version: string, private readonly sealer: Sealer) {
    ({ sealed: this.sealed, internal: this.internal } = settingKeys());
    this.declared = new Map(defaultSettings('').map((d, index) => [d.key, { ...d, index }]));
  }

  /** Adds missing defaults (keeping stored values), seals legacy plain secrets and loads everything. */
  async init(): Promise<void> {
    const stored = new Map((await this.repo.list()).map((s) => [s.key, s]));
    const defaults = defaultSettings(this.version).map((d) => ({ key: d.key, value: d.value, type: d.type, groupId: d.group, flag: d.flag }));
    await this.repo.insertMissing(this.sealAll(defaults.filter((d) => !stored.has(d.key) && d.key !== 'version')));
    await this.repo.upsert(defaults.filter((d) => d.key === 'version'));
    // Type, group and flag are the declaration's, not data: a stored row that differs (an older
    // version's group or flag) follows it, keeping its value.
    const moved = defaults.filter((d) => {
      const s = stored.get(d.key);
      return s !== undefined && d.key !== 'version' && (s.type !== d.type || s.groupId !== d.groupId || s.flag !== d.flag);
    });
    if (moved.length > 0) await this.repo.upsert(moved.map((d) => ({ key: d.key, value: stored.get(d.key)?.value ?? d.value, type: d.type, groupId: d.groupId, flag: d.flag })));
    // Values stored before sealing existed (e.g. the admin token): sealed now, in place.
    const plain = [...stored.values()].filter((s) => this.sealed.has(s.key) && s.value !== '' && !isSealed(s.value));
    if (plain.length > 0) await this.repo.upsert(this.sealAll(plain.map((s) => ({ key: s.key, value: s.value }))));
    await this.reload();
  }

  async reload(): Promise<void> {
    const next = new Map<string, SettingRecord>();
    for (const s of await this.repo.list()) next.set(s.key, this.sealed.has(s.key) ? { ...s, value: this.openValue(s) } : s);
    this.values = next;
    this.revision++;
  }

  /** Moves on with every reload: what is derived from the settings is cached against it. */
  revision = 0;

  get(key: string): string {
    return this.values.get(key)?.value ?? '';
  }

  bool(key: string): boolean {
    return this.get(key) === 'true';
  }

  number(key: string): number {
    const n = Number(this.get(key));
    return Number.isFinite(n) ? n : 0;
  }

  /** The key signed links are made with (never the admin token). */
  signKey(): string {
    return this.get('sign_key');
  }

  /** Hours a link signed now stays valid: `link_expiration`, 0 for never, the default when unusable. */
  linkExpirationHours(): number {
    return linkExpirationHours(this.get('link_expiration'));
  }

  /** `content_origin` without trailing slashes when it is an absolute http(s) URL, else ''. */
  contentOrigin(): string {
    return baseUrl(this.get('content_origin'));
  }

  /** Options, help and index of a key as declared (empty for keys saved without a declaration). */
  declaration(key: string): SettingDeclaration {
    const d = this.declared.get(key);
    return { options: d?.options ?? '', help: d?.help ?? '', index: d?.index ?? this.declared.size };
  }

  /** Why `value` cannot be stored under `key` (by its declared type and options), or undefined. */
  invalid(key: string, value: string): string | undefined {
    const d = this.declared.get(key);
    return d === undefined ? undefined : invalidSettingValue(d, value);
  }

  /** By group, then in declaration order (OpenList's `index`), then by key. */
  list(): SettingRecord[] {
    const index = (k: string) => this.declared.get(k)?.index ?? this.declared.size;
    return [...this.values.values()].filter((s) => !this.internal.has(s.key)).sort((a, b) => a.groupId - b.groupId || index(a.key) - index(b.key) || a.key.localeCompare(b.key));
  }

  record(key: string): SettingRecord | undefined {
    return this.internal.has(key) ? undefined : this.values.get(key);
  }

  /** Public settings as AList's flat map of strings. */
  publicMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.list()) if (s.flag === SettingFlag.Public || s.flag === SettingFlag.ReadOnly) out[s.key] = s.value;
    return out;
  }

  /** Saves settings; internal keys among `items` are skipped (they change only through their own methods). */
  async save(items: SettingInput[]): Promise<void> {
    await this.write(items.filter((i) => !this.internal.has(i.key)));
  }

  async remove(key: string): Promise<void> {
    if (this.internal.has(key)) return;
    await this.repo.remove(key);
    await this.reload();
  }

  /**
   * A new admin token, and with it a new signing key: as in AList, resetting the token voids every
   * link signed before.
   */
  async resetToken(): Promise<string> {
    const token = newAdminToken();
    await this.write([{ key: 'token', value: token }, { key: 'sign_key', value: newSignKey() }]);
    return token;
  }

  /** A new signing key: every link signed with the old one stops working. */
  async rotateSignKey(): Promise<void> {
    await this.write([{ key: 'sign_key', value: newSignKey() }]);
  }

  private async write(items: SettingInput[]): Promise<void> {
    await this.repo.upsert(this.sealAll(items));
    await this.reload();
  }

  private sealAll<T extends SettingInput>(items: T[]): T[] {
    return items.map((i) => (this.sealed.has(i.key) && i.value !== '' ? { ...i, value: this.sealer.seal(i.value) } : i));
  }

  private openValue(s: SettingRecord): string {
    try {
      return this.sealer.open(s.value);
    } catch (err) {
      throw new Error(`setting "${s.key}": ${(err as Error).message}`, { cause: err });
    }
  }
}
