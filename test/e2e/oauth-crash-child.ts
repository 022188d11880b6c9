/**
 * Child process of oauth-crash.test.ts: a TokenManager over a SQLite-backed token store (the same
 * lease + state row the server uses), refreshing and using tokens in a loop until it is killed.
 * env: CRASH_DB (sqlite file), CRASH_STORAGE_ID, CRASH_SEED, CRASH_TOKEN_URL, CRASH_API_URL.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { createDatabase, createRepositories, type Repositories } from '../../src/db/index.js';
import { oauthRoute, TokenManager } from '../../src/drivers/shared/oauth/index.js';
import type { TokenStore } from '../../src/core/storage/index.js';

const env = (k: string): string => process.env[k] ?? '';

function sqliteTokens(repos: Repositories, id: number, lockTtlMs: number): TokenStore {
  return {
    async withLock(ttlMs, work) {
      const name = `storage-tokens-${id}`;
      const holder = `${process.pid}-${randomUUID()}`;
      while (!(await repos.leases.acquire(name, holder, Math.min(ttlMs, lockTtlMs)))) await new Promise((r) => setTimeout(r, 20));
      try {
        return await work();
      } finally {
        await repos.leases.release(name, holder);
      }
    },
    async load() {
      const text = await repos.storages.loadState(id);
      const v: unknown = text ? JSON.parse(text) : undefined;
      return v && typeof v === 'object' && Object.keys(v).length > 0 ? (v as Record<string, unknown>) : undefined;
    },
    async save(value) {
      await repos.storages.saveState(id, JSON.stringify(value));
    },
  };
}

async function main(): Promise<void> {
  const db = await createDatabase(`sqlite:${env('CRASH_DB')}`);
  const repos = createRepositories(db.db);
  const dispatcher = new Agent({ connections: 2 });
  const manager = new TokenManager({
    store: sqliteTokens(repos, Number(env('CRASH_STORAGE_ID')), 300),
    seedRefreshToken: env('CRASH_SEED'),
    routes: [oauthRoute({ dispatcher, timeoutMs: 2_000, url: env('CRASH_TOKEN_URL'), clientId: 'fake-client-id', clientSecret: 'fake-client-secret', encoding: 'json' })],
    logger: pino({ level: 'silent' }),
  });
  process.stdout.write('ready\n');
  for (;;) {
    const t = await manager.refreshNow();
    const res = await request(env('CRASH_API_URL'), { dispatcher, method: 'POST', headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/json' }, body: '{}' });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`API answered ${res.statusCode}`);
    process.stdout.write('used\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
