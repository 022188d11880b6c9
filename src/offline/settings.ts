import { join, posix } from 'node:path';
import type { ToolName } from './tool.js';
import { ALLOW_PRIVATE_KEY } from './url-check.js';

/** What the offline module reads from the settings (the SettingsService, or a stub in tests). */
export interface SettingsView {
  get(key: string): string;
  bool(key: string): boolean;
  number(key: string): number;
}

/** AList/OpenList's setting keys, and this server's few beside them (declared in settings/defaults.ts). */
export const OfflineKeys = {
  aria2Uri: 'aria2_uri',
  aria2Secret: 'aria2_secret',
  aria2TempDir: 'aria2_temp_dir',
  qbittorrentUrl: 'qbittorrent_url',
  qbittorrentSeedtime: 'qbittorrent_seedtime',
  transmissionUri: 'transmission_uri',
  transmissionSeedtime: 'transmission_seedtime',
  transmissionTempDir: 'transmission_temp_dir',
  tempDir: 'offline_download_temp_dir',
  allowPrivate: ALLOW_PRIVATE_KEY,
} as const;

/** The settings of the offline downloads, read fresh on every use (an administrator may change them any time). */
export class OfflineSettings {
  constructor(
    private readonly settings: SettingsView,
    private readonly dataDir: string,
  ) {}

  get(key: string): string {
    return this.settings.get(key).trim();
  }

  allowPrivate(): boolean {
    return this.settings.bool(OfflineKeys.allowPrivate);
  }

  /** The server's staging folder: `offline_download_temp_dir`, or <data>/temp/offline. */
  stagingRoot(): string {
    return this.get(OfflineKeys.tempDir) || join(this.dataDir, 'temp', 'offline');
  }

  /** Where one task's files are staged, as this server sees it. */
  stagingDir(taskId: string): string {
    return join(this.stagingRoot(), taskId);
  }

  /**
   * The same folder as the tool sees it: when the tool runs elsewhere (another container, another
   * host sharing a volume), `<tool>_temp_dir` names the staging root in the tool's file system.
   */
  toolDir(tool: ToolName, taskId: string): string {
    const key = tool === 'aria2' ? OfflineKeys.aria2TempDir : tool === 'Transmission' ? OfflineKeys.transmissionTempDir : '';
    const mapped = key ? this.get(key) : '';
    return mapped ? posix.join(mapped, taskId) : this.stagingDir(taskId);
  }
}
