import { isWithin, normalizePath } from '../core/paths.js';

/** `search_index` values: OpenList's two database searchers and `none`. */
export const SEARCH_MODES = ['none', 'database', 'database_non_full_text'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface SettingsView {
  get(key: string): string;
}

/** The index's settings as read now (they are read on every use: an admin's change applies at once). */
export interface IndexConfig {
  mode: SearchMode;
  /** Virtual paths never indexed (nor anything below them). */
  ignore: readonly string[];
  /** Deepest entry indexed, in path segments below `/` (OpenList's `max_index_depth`). */
  maxDepth: number;
  /** Listings read from a storage correct the index (`auto_update_index`). */
  fromListings: boolean;
  /** Hours between background re-crawls of each storage; 0 = none. */
  crawlIntervalHours: number;
  /** Folders each storage's crawl lists per second at most. */
  crawlRate: number;
}

function numberOr(text: string, fallback: number): number {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : fallback;
}

export function readIndexConfig(settings: SettingsView): IndexConfig {
  const raw = settings.get('search_index');
  const mode = (SEARCH_MODES as readonly string[]).includes(raw) ? (raw as SearchMode) : 'none';
  const ignore = settings
    .get('ignore_paths')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('/'))
    .flatMap((l) => {
      try {
        return [normalizePath(l)];
      } catch {
        return [];
      }
    });
  return {
    mode,
    ignore,
    maxDepth: Math.max(1, numberOr(settings.get('max_index_depth'), 20)),
    fromListings: settings.get('auto_update_index') !== 'false',
    crawlIntervalHours: Math.max(0, numberOr(settings.get('index_crawl_interval'), 24)),
    crawlRate: Math.max(0.1, numberOr(settings.get('index_crawl_rate'), 20)),
  };
}

/** Path segments below `/`: 0 for `/`, 1 for `/a`. */
export function depthOf(path: string): number {
  if (path === '/') return 0;
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) n++;
  return n;
}

export function ignored(config: IndexConfig, path: string): boolean {
  return config.ignore.some((i) => isWithin(path, i));
}
