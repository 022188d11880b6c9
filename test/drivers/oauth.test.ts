import { pino } from 'pino';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsError } from '../../src/core/errors.js';
import { oauthRoute, onlineRoute, TokenManager, type TokenManagerOptions } from '../../src/drivers/shared/oauth/index.js';
import type { TokenStore } from '../../src/core/storage/index.js';
import { memoryTokenStore } from '../conformance/context.js';
import { ALI_CLIENT_ID, ALI_CLIENT_SECRET, AliyunDriveFake } from '../fakes/aliyundrive-fake.js';
import { OnlineApiFake } from '../fakes/online-api-fake.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TokenManager against the AliyunDrive fake', () => {
  let fake: AliyunDriveFake;
  let online: OnlineApiFake;
  let dispatcher: Agent;
  const managers: TokenManager[] = [];

  beforeEach(async () => {
    fake = await AliyunDriveFake.start();
    online = await OnlineApiFake.start(fake.issuer);
    dispatcher = new Agent({ connections: 4 });
  });

  afterEach(async () => {
    for (const m of managers.splice(0)) m.close();
    await dispatcher.close();
    await online.close();
    await fake.close();
  });

  function manager(o: Partial<Omit<TokenManagerOptions, 'routes'>> & { seed: string; routes?: ('oauth' | 'online')[] }): TokenManager {
    const routes = (o.routes ?? ['oauth']).map((name) =>
      name === 'oauth'
        ? oauthRoute({ dispatcher, timeoutMs: 300, url: `${fake.url}/oauth/access_token`, clientId: ALI_CLIENT_ID, clientSecret: ALI_CLIENT_SECRET, encoding: 'json' })
        : onlineRoute({ dispatcher, timeoutMs: 300, url: online.postUrl, style: 'post' }),
    );
    const m = new TokenManager({
      store: o.store ?? memoryTokenStore(),
      seedRefreshToken: o.seed,
      routes,
      logger: pino({ level: 'silent' }),
      policy: { initialDelayMs: 20, maxDelayMs: 100, breakerHalfOpenMs: 200, ...o.policy },
      ...(o.now ? { now: o.now } : {}),
    });
    managers.push(m);
    return m;
  }

  it('refreshes proactively at about 80% of the lifetime, with nobody asking', async () => {
    fake.issuer.accessLifetimeMs = 1_000;
    const m = manager({ seed: fake.issuer.issueRefreshToken() });
    const first = await m.accessToken();
    expect(fake.issuer.stats.refreshes).toBe(1);
    await sleep(1_150);
    expect(fake.issuer.stats.refreshes).toBeGreaterThanOrEqual(2);
    const second = await m.accessToken();
    expect(second).not.toBe(first);
    expect(fake.issuer.use(second)).toBe('ok');
    expect(m.status()).toMatchObject({ state: 'ok', route: 'oauth' });
  });

  it('50 concurrent callers share one refresh', async () => {
    const m = manager({ seed: fake.issuer.issueRefreshToken() });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => m.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.issuer.stats.refreshes).toBe(1);
    fake.issuer.revokeAccessTokens();
    const again = await Promise.all(Array.from({ length: 50 }, () => m.rejected(tokens[0] ?? '')));
    expect(new Set(again).size).toBe(1);
    expect(fake.issuer.stats.refreshes).toBe(2);
  });

  it('two processes sharing one store refresh once: the second re-reads the store under the lock and adopts', async () => {
    const store = memoryTokenStore();
    const seed = fake.issuer.issueRefreshToken();
    const a = manager({ seed, store });
    const b = manager({ seed, store });
    const [ta, tb] = await Promise.all([a.accessToken(), b.accessToken()]);
    expect(ta).toBe(tb);
    expect(fake.issuer.stats.refreshes).toBe(1);
    expect(fake.issuer.stats.refused).toBe(0);
  });

  it('persists every rotated refresh token before its access token is first used', async () => {
    fake.issuer.accessLifetimeMs = 600;
    const inner = memoryTokenStore();
    const violations: string[] = [];
    const store: TokenStore = {
      ...inner,
      withLock: inner.withLock,
      load: inner.load,
      save: async (v) => {
        const at = String(v.access_token);
        if (fake.issuer.firstUse.has(at)) violations.push(at);
        await inner.save(v);
      },
    };
    const m = manager({ seed: fake.issuer.issueRefreshToken(), store });
    for (let i = 0; i < 6; i++) {
      expect(fake.issuer.use(await m.accessToken())).toBe('ok');
      await sleep(150);
    }
    expect(fake.issuer.stats.refreshes).toBeGreaterThanOrEqual(2);
    expect(violations).toEqual([]);
    const saved = await inner.load();
    expect(fake.issuer.accepts(String(saved?.refresh_token))).toBe(true);
  });

  it('falls back to the online helper when the token endpoint hangs, and says so', async () => {
    fake.faults.set('token', { kind: 'hang' });
    const m = manager({ seed: fake.issuer.issueRefreshToken(), routes: ['oauth', 'online'] });
    const token = await m.accessToken();
    expect(fake.issuer.use(token)).toBe('ok');
    expect(m.status()).toMatchObject({ state: 'ok', route: 'online' });
  });

  it('falls back to the token endpoint when the online helper answers 500', async () => {
    online.faults.set('online', { kind: 'status', status: 500 });
    const m = manager({ seed: fake.issuer.issueRefreshToken(), routes: ['online', 'oauth'] });
    expect(fake.issuer.use(await m.accessToken())).toBe('ok');
    expect(m.status().route).toBe('oauth');
  });

  it('keeps serving a still-valid access token while refreshes fail', async () => {
    fake.issuer.accessLifetimeMs = 4_000;
    const m = manager({ seed: fake.issuer.issueRefreshToken() });
    const token = await m.accessToken();
    fake.faults.set('token', { kind: 'status', status: 504 });
    // Past the proactive point (~80% of 4 s) the background refresh fails; the token is still valid.
    for (const end = Date.now() + 3_500; m.status().state !== 'refresh_failing' && Date.now() < end; ) await sleep(20);
    expect(m.status()).toMatchObject({ state: 'refresh_failing' });
    expect(m.status().lastError).toMatch(/504/);
    expect(await m.accessToken()).toBe(token);
    expect(fake.issuer.use(token)).toBe('ok');
    fake.faults.clear();
    await sleep(250); // the route's circuit opened after the failures; it half-opens after 200 ms here
    const next = await m.refreshNow();
    expect(next.accessToken).not.toBe(token);
    expect(m.status().state).toBe('ok');
  });

  it('honours Retry-After from a 429 token endpoint', async () => {
    fake.faults.set('token', { kind: 'rate_limit', retryAfterSec: 1 });
    const m = manager({ seed: fake.issuer.issueRefreshToken(), policy: { maxAttempts: 2 } });
    const started = Date.now();
    setTimeout(() => fake.faults.clear(), 200);
    expect(fake.issuer.use(await m.accessToken())).toBe('ok');
    expect(fake.faults.hits.token).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a refused refresh token fails once as unauthorized_upstream (not retryable) with no retry storm', async () => {
    const m = manager({ seed: 'not-a-token-the-provider-knows', routes: ['oauth', 'online'] });
    const err = await m.accessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FsError);
    expect(err).toMatchObject({ code: 'unauthorized_upstream', retryable: false });
    expect((err as FsError).message).toMatch(/refresh token was refused/);
    const calls = fake.faults.hits.token + online.faults.hits.online;
    expect(calls).toBe(2); // one call per route, no retries
    for (let i = 0; i < 20; i++) await expect(m.accessToken()).rejects.toMatchObject({ code: 'unauthorized_upstream' });
    expect(fake.faults.hits.token + online.faults.hits.online).toBe(calls);
    expect(m.status().state).toBe('needs_reauth');
  });

  it('a superseded (already rotated) refresh token is refused once the new pair was used', async () => {
    const seed = fake.issuer.issueRefreshToken();
    const first = manager({ seed });
    expect(fake.issuer.use(await first.accessToken())).toBe('ok');
    // A second process that never saw the rotation, with its own empty store, still holds `seed`.
    const stale = manager({ seed, store: memoryTokenStore() });
    await expect(stale.accessToken()).rejects.toMatchObject({ code: 'unauthorized_upstream' });
  });

  it('adopts a configured refresh token that replaced the stored chain', async () => {
    const store = memoryTokenStore();
    const old = manager({ seed: fake.issuer.issueRefreshToken(), store });
    await old.accessToken();
    old.close();
    const fresh = fake.issuer.issueRefreshToken('user-1');
    const m = manager({ seed: fresh, store });
    expect(fake.issuer.use(await m.accessToken())).toBe('ok');
    expect(fake.issuer.accepts(String((await store.load())?.refresh_token))).toBe(true);
  });
});
