import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { restrictToOwner } from '../lib/file-mode.js';
import { CONFIG_KEYS, type Config, type ConfigKey, configSchema } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigInput {
  /** Values from command-line flags (highest precedence). */
  flags?: Partial<Record<ConfigKey, unknown>>;
  env?: NodeJS.ProcessEnv;
  /** Write a generated jwt_secret back to config.json (the server does; tools do not need to). */
  persistSecret?: boolean;
}

type Layer = { source: string; values: Record<string, unknown> };

export function envKey(key: ConfigKey): string {
  return `FILEBRIDGE_${key.toUpperCase()}`;
}

/**
 * Defaults < `<data>/config.json` < FILEBRIDGE_* environment < flags, validated once. Every bad
 * value is reported in one error, naming where it came from.
 */
export function loadConfig(input: LoadConfigInput = {}): Config {
  const env = input.env ?? process.env;
  const flagLayer: Layer = { source: 'flag', values: definedOnly(input.flags ?? {}) };
  const envLayer: Layer = { source: 'environment', values: readEnv(env) };
  const dataDir = String(flagLayer.values.data ?? envLayer.values.data ?? 'data');
  const fileLayer = readConfigFile(join(resolve(dataDir), 'config.json'));
  const layers = [fileLayer, envLayer, flagLayer];
  const merged: Record<string, unknown> = {};
  const sourceOf: Record<string, string> = {};
  const problems: string[] = [];
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer.values)) {
      if (!(CONFIG_KEYS as string[]).includes(k)) {
        problems.push(`${k}: unknown setting (from ${layer.source})`);
        continue;
      }
      merged[k] = v;
      sourceOf[k] = layer.source;
    }
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      problems.push(`${key}: ${issue.message} (from ${sourceOf[key] ?? 'default'}, got ${JSON.stringify(merged[key])})`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const cfg = { ...parsed.data, data: resolve(parsed.data.data) };
  if (!cfg.db) cfg.db = `sqlite:${join(cfg.data, 'data.db')}`;
  if (!cfg.jwt_secret) {
    cfg.jwt_secret = randomBytes(32).toString('base64url');
    if (input.persistSecret) persistSecret(fileLayer.file, cfg.jwt_secret);
  } else if (input.persistSecret && holdsSecret(fileLayer.values)) {
    // A config.json made by hand (or by an older version) that holds secrets: owner-only too.
    restrictToOwner(fileLayer.file);
  }
  return Object.freeze(cfg);
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function readEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const v = env[envKey(key)];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}

function readConfigFile(file: string): Layer & { file: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { source: file, values: {}, file };
    throw new ConfigError([`${file}: cannot be read: ${(err as Error).message}`]);
  }
  try {
    const values: unknown = JSON.parse(text);
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error('not a JSON object');
    return { source: file, values: values as Record<string, unknown>, file };
  } catch (err) {
    throw new ConfigError([`${file}: not valid JSON: ${(err as Error).message}`]);
  }
}

/** Keys of config.json whose values are secrets: the file holding them is kept owner-only (0600). */
const SECRET_CONFIG_KEYS: readonly string[] = ['jwt_secret', 'secret_key', 'db'];

function holdsSecret(values: Record<string, unknown>): boolean {
  return SECRET_CONFIG_KEYS.some((k) => typeof values[k] === 'string' && values[k] !== '');
}

/** Stores a generated secret in config.json (written owner-only, 0600) so that login tokens survive restarts. */
function persistSecret(file: string, secret: string): void {
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    current = {};
  }
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...current, jwt_secret: secret }, null, 2) + '\n', { mode: 0o600 });
  restrictToOwner(tmp); // a leftover temporary file keeps its mode on overwrite
  renameSync(tmp, file);
}
