import type { SettingRecord, SettingRepository } from '../db/repositories/settings.js';
import { SettingFlag, defaultSettings, newAdminToken } from './defaults.js';

/**
 * Settings with an in-memory copy for the hot paths (signing, list types); every write goes to
 * the database first and then refreshes the copy.
 */
export class SettingsService {
  private values = new Map<string, SettingRecord>();

  constructor(private readonly repo: SettingRepository, private readonly version: string) {}

  /** Adds missing defaults (keeping stored values) and loads everything. */
  async init(): Promise<void> {
    const stored = new Map((await this.repo.list()).map((s) => [s.key, s]));
    const missing = defaultSettings(this.version).filter((d) => !stored.has(d.key) || d.key === 'version');
    if (missing.length > 0) {
      await this.repo.upsert(missing.map((d) => ({ key: d.key, value: d.value, type: d.type, groupId: d.group, flag: d.flag })));
    }
    await this.reload();
  }

  async reload(): Promise<void> {
    this.values = new Map((await this.repo.list()).map((s) => [s.key, s]));
  }

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

  list(): SettingRecord[] {
    return [...this.values.values()].sort((a, b) => a.groupId - b.groupId || a.key.localeCompare(b.key));
  }

  record(key: string): SettingRecord | undefined {
    return this.values.get(key);
  }

  /** Public settings as AList's flat map of strings. */
  publicMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.values.values()) if (s.flag === SettingFlag.Public || s.flag === SettingFlag.ReadOnly) out[s.key] = s.value;
    return out;
  }

  async save(items: { key: string; value: string; type?: string; groupId?: number; flag?: number }[]): Promise<void> {
    await this.repo.upsert(items);
    await this.reload();
  }

  async remove(key: string): Promise<void> {
    await this.repo.remove(key);
    await this.reload();
  }

  /** A new admin token; every link signed with the old one stops working. */
  async resetToken(): Promise<string> {
    const token = newAdminToken();
    await this.save([{ key: 'token', value: token }]);
    return token;
  }
}
