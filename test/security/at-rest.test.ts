import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;
const DB_FILES = ['data.db', 'data.db-wal', 'data.db-shm'];

/** The stored (raw) value of a setting, read from the SQLite file itself. */
function rawSetting(dataDir: string, key: string): string | undefined {
  const db = new Sqlite(join(dataDir, 'data.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  } finally {
    db.close();
  }
}

/**
 * At rest: the database and its WAL/SHM files and config.json are owner-only (0600), and the
 * admin token and the link signing key are stored sealed, yet the server still takes the token.
 */
describe('secrets at rest', () => {
  let dataDir: string;
  let server: TestServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'filebridge-at-rest-'));
    server = await startTestServer({ dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('data.db, its -wal and -shm, config.json and secret.key are mode 0600 after start', () => {
    for (const name of [...DB_FILES, 'config.json', 'secret.key']) {
      const file = join(dataDir, name);
      expect(existsSync(file), name).toBe(true);
      expect(modeOf(file).toString(8), name).toBe('600');
    }
  });

  it('the token and sign_key rows are sealed, and no plain copy is in the database files', async () => {
    const token = server.settings.get('token');
    const signKey = server.settings.get('sign_key');
    expect(token).toMatch(/^filebridge-/);
    expect(signKey.length).toBeGreaterThanOrEqual(40);
    for (const [key, plain] of [['token', token], ['sign_key', signKey]] as const) {
      const stored = rawSetting(dataDir, key);
      expect(stored, key).toMatch(/^enc:v1:/);
      expect(stored, key).not.toContain(plain);
    }
    for (const name of DB_FILES) expect(readFileSync(join(dataDir, name)).includes(token), name).toBe(false);
  });

  it('the server still authenticates with the admin token (and refuses a wrong one)', async () => {
    const me = await ApiClient.for(server, server.settings.get('token')).get('/api/me');
    expect(me.code).toBe(200);
    expect(me.data.username).toBe('admin');
    const sealed = rawSetting(dataDir, 'token') ?? '';
    expect((await ApiClient.for(server, sealed).get('/api/me')).code).toBe(401);
  });

  it('after a restart, a plain token left by an older version is sealed in place and still works; 0644 files become 0600', async () => {
    const token = server.settings.get('token');
    await server.stop();
    const db = new Sqlite(join(dataDir, 'data.db'));
    db.prepare('UPDATE settings SET value = ? WHERE key = ?').run(token, 'token');
    db.close();
    for (const name of [...DB_FILES, 'config.json']) if (existsSync(join(dataDir, name))) chmodSync(join(dataDir, name), 0o644);
    expect(rawSetting(dataDir, 'token')).toBe(token);

    server = await startTestServer({ dataDir });
    expect(rawSetting(dataDir, 'token')).toMatch(/^enc:v1:/);
    expect(server.settings.get('token')).toBe(token);
    expect((await ApiClient.for(server, token).get('/api/me')).code).toBe(200);
    for (const name of [...DB_FILES, 'config.json']) expect(modeOf(join(dataDir, name)).toString(8), name).toBe('600');
  });
});
