import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

function dataDir(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'filebridge-config-'));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

describe('loadConfig', () => {
  it('has AList-like defaults and derives the database from the data folder', () => {
    const dir = dataDir();
    const c = loadConfig({ env: {}, flags: { data: dir } });
    expect(c.port).toBe(5244);
    expect(c.host).toBe('0.0.0.0');
    expect(c.db).toBe(`sqlite:${join(dir, 'data.db')}`);
    expect(c.token_expires_in).toBe(48);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('layers defaults < config.json < environment < flags', () => {
    const dir = dataDir({ port: 1000, host: '127.0.0.2', log_level: 'warn' });
    const env = { FILEBRIDGE_DATA: dir, FILEBRIDGE_PORT: '2000', FILEBRIDGE_HOST: '127.0.0.3' };
    const c = loadConfig({ env, flags: { port: 3000 } });
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.3');
    expect(c.log_level).toBe('warn');
    expect(c.data).toBe(dir);
  });

  it('reports every bad value at once, naming where each came from', () => {
    const dir = dataDir({ port: 'eighty', colour: 'blue' });
    let err: unknown;
    try {
      loadConfig({ env: { FILEBRIDGE_LOG_LEVEL: 'loud' }, flags: { data: dir, site_url: 'not a url' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/port: .*config\.json/);
    expect(problems).toMatch(/colour: unknown setting/);
    expect(problems).toMatch(/log_level: .*environment/);
    expect(problems).toMatch(/site_url: .*flag/);
    expect((err as ConfigError).problems).toHaveLength(4);
  });

  it('says which file is not valid JSON', () => {
    const dir = dataDir('{ "port": 1,');
    expect(() => loadConfig({ env: {}, flags: { data: dir } })).toThrow(/config\.json: not valid JSON/);
  });

  it('generates the JWT secret once and keeps it, so login tokens survive restarts', () => {
    const dir = dataDir({ port: 1234 });
    const first = loadConfig({ env: {}, flags: { data: dir }, persistSecret: true });
    const second = loadConfig({ env: {}, flags: { data: dir }, persistSecret: true });
    expect(first.jwt_secret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwt_secret).toBe(first.jwt_secret);
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ port: 1234, jwt_secret: first.jwt_secret });
  });
});
