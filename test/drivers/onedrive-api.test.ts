import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OnedriveDriver } from '../../src/drivers/onedrive/onedrive.js';
import { createTestContext, type DriverTestContext } from '../conformance/context.js';
import { collect, readAll } from '../conformance/helpers.js';
import { OnedriveFake } from '../fakes/onedrive-fake.js';
import { onedriveFor } from '../fakes/onedrive-setup.js';

describe('Onedrive against the fake Graph: wire details', () => {
  let fake: OnedriveFake;
  let t: DriverTestContext;
  let driver: OnedriveDriver;

  beforeEach(async () => {
    fake = await OnedriveFake.start();
    t = await createTestContext();
    driver = onedriveFor(fake, t.ctx, fake.issuer.issueRefreshToken());
    await driver.init(AbortSignal.timeout(5_000));
  });

  afterEach(async () => {
    await driver.close();
    await t.cleanup();
    await fake.close();
  });

  it('follows @odata.nextLink (450 children, pages of 200)', async () => {
    await driver.mkdir('many');
    const dir = fake.tree.byPath('/many');
    for (let i = 0; i < 450; i++) fake.tree.create(dir?.id ?? '', `f${i}`, 'file');
    expect((await collect(driver.list('many'))).length).toBe(450);
    expect(fake.calls.filter((c) => c.startsWith('GET') && c.endsWith('/children')).length).toBe(3);
  });

  it('refreshes once on 401 InvalidAuthenticationToken and persists the rotated refresh token', async () => {
    fake.issuer.revokeAccessTokens();
    const before = fake.issuer.stats.refreshes;
    await Promise.all(Array.from({ length: 10 }, () => driver.stat('')));
    expect(fake.issuer.stats.refreshes - before).toBe(1);
    const saved = await t.ctx.tokens.load();
    expect(fake.issuer.accepts(String(saved?.refresh_token))).toBe(true);
  });

  it('reads through the 302 from /content and gives it as link()', async () => {
    await driver.write('a.txt', Readable.from([Buffer.from('hello world')]), { size: 11 });
    const r = await driver.read('a.txt', { range: { start: 6 } });
    expect((await readAll(r.stream)).toString()).toBe('world');
    const l = await driver.link('a.txt');
    expect(l.url).toContain('/download/');
    expect(await (await fetch(l.url)).text()).toBe('hello world');
  });

  it('mkdir on an existing file is already_exists; moving onto an existing name is already_exists', async () => {
    await driver.write('f', Readable.from([Buffer.from('x')]), { size: 1 });
    await driver.write('g', Readable.from([Buffer.from('y')]), { size: 1 });
    await expect(driver.mkdir('f')).rejects.toMatchObject({ code: 'already_exists' });
    await expect(driver.move('f', 'g')).rejects.toMatchObject({ code: 'already_exists' });
  });

  it('a revoked grant at start-up is unauthorized_upstream, not retryable (invalid_grant)', async () => {
    const other = onedriveFor(fake, t.ctx, 'revoked-token');
    await expect(other.init(AbortSignal.timeout(5_000))).rejects.toMatchObject({ code: 'unauthorized_upstream', retryable: false, message: expect.stringMatching(/invalid_grant/) });
    await other.close();
  });

  it('honours Retry-After on 429 from Graph', async () => {
    fake.faults.set('api', { kind: 'rate_limit', retryAfterSec: 0 });
    setTimeout(() => fake.faults.clear(), 100);
    const started = fake.faults.hits.api;
    await expect(driver.stat('')).resolves.toMatchObject({ isDir: true });
    expect(fake.faults.hits.api - started).toBeGreaterThanOrEqual(1);
  });
});
