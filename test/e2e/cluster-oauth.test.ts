import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { AliyunDriveFake } from '../fakes/aliyundrive-fake.js';
import { aliOptions } from '../fakes/aliyundrive-setup.js';
import { type PostgresServer, startPostgres } from '../servers/postgres.js';

/**
 * One OAuth storage mounted by two instances on one PostgreSQL database: the refresh token
 * rotates on every refresh, so a second refresh with a superseded token would be refused. The
 * lease (TokenStore.withLock) plus re-reading the stored tokens must make it one refresh per rotation.
 */
describe('OAuth refresh across two instances', () => {
  const state: { pg?: PostgresServer; fake?: AliyunDriveFake; a?: TestServer; b?: TestServer; token: string } = { token: '' };
  const fake = () => state.fake as AliyunDriveFake;

  beforeAll(async () => {
    state.pg = await startPostgres();
    state.fake = await AliyunDriveFake.start();
    const db = await state.pg.connectionString();
    const addition = JSON.stringify(aliOptions(fake(), fake().issuer.issueRefreshToken()));
    // Instances of a cluster share the JWT secret and the key that seals the shared token state.
    const config = { db, jwt_secret: 'one-secret-for-every-instance', secret_key: randomBytes(32).toString('base64'), storage_poll_ms: 0 };
    state.a = await startTestServer({ config, storages: [{ mountPath: '/ali', driver: 'AliyundriveOpen', addition, cacheExpiration: 0 }] });
    state.b = await startTestServer({ config });
    state.token = await new ApiClient(state.a.url).login();
  });

  afterAll(async () => {
    await state.b?.stop();
    await state.a?.stop();
    await state.fake?.close();
    await state.pg?.stop();
  });

  it('starts both mounts with one refresh between them', () => {
    for (const s of [state.a, state.b]) expect(s?.mounts.list().find((m) => m.spec.mountPath === '/ali')?.status.state).toBe('ready');
    expect(fake().issuer.stats).toMatchObject({ refreshes: 1, refused: 0 });
  });

  it('makes exactly one refresh call per rotation for 100 concurrent requests on both instances', async () => {
    const clients = [state.a, state.b].map((s) => new ApiClient((s as TestServer).url, state.token));
    for (let round = 1; round <= 3; round++) {
      fake().issuer.revokeAccessTokens();
      const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => clients[i % 2]?.post('/api/fs/list', { path: '/ali' })));
      expect(replies.map((r) => r?.code).filter((c) => c !== 200)).toEqual([]);
      expect(fake().issuer.stats).toMatchObject({ refreshes: 1 + round, refused: 0 });
    }
  });
});
