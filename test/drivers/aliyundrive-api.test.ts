import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AliyundriveOpenDriver } from '../../src/drivers/aliyundrive-open/aliyundrive-open.js';
import { createTestContext, type DriverTestContext } from '../conformance/context.js';
import { collect, readAll } from '../conformance/helpers.js';
import { AliyunDriveFake } from '../fakes/aliyundrive-fake.js';
import { aliDriver } from '../fakes/aliyundrive-setup.js';
import { OnlineApiFake } from '../fakes/online-api-fake.js';

describe('AliyundriveOpen against the fake: wire details', () => {
  let fake: AliyunDriveFake;
  let t: DriverTestContext;
  let driver: AliyundriveOpenDriver;

  beforeEach(async () => {
    fake = await AliyunDriveFake.start();
    t = await createTestContext();
    driver = aliDriver(fake, t.ctx, fake.issuer.issueRefreshToken());
    await driver.init(AbortSignal.timeout(5_000));
  });

  afterEach(async () => {
    await driver.close();
    await t.cleanup();
    await fake.close();
  });

  it('pages listings with next_marker (250 entries, pages of 100)', async () => {
    await driver.mkdir('many');
    const dir = fake.tree.byPath('/many');
    for (let i = 0; i < 250; i++) fake.tree.create(dir?.id ?? '', `f${String(i).padStart(3, '0')}`, 'file');
    const before = fake.calls.filter((c) => c.endsWith('/openFile/list')).length;
    expect((await collect(driver.list('many'))).length).toBe(250);
    expect(fake.calls.filter((c) => c.endsWith('/openFile/list')).length - before).toBe(3);
  });

  it('refreshes once when the API says AccessTokenInvalid, and repeats the call', async () => {
    await driver.write('a.txt', Readable.from([Buffer.from('hello')]), { size: 5 });
    const refreshes = fake.issuer.stats.refreshes;
    fake.issuer.revokeAccessTokens();
    const results = await Promise.all(Array.from({ length: 20 }, () => driver.stat('a.txt')));
    expect(results.every((r) => r.size === 5)).toBe(true);
    expect(fake.issuer.stats.refreshes - refreshes).toBe(1);
    expect(driver.tokenStatus()).toMatchObject({ state: 'ok', route: 'oauth' });
  });

  it('gives a cached direct link that serves ranges', async () => {
    await driver.write('b.bin', Readable.from([Buffer.from('0123456789')]), { size: 10 });
    const l1 = await driver.link('b.bin');
    const l2 = await driver.link('b.bin');
    expect(l2.url).toBe(l1.url);
    expect(l1.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    const res = await fetch(l1.url, { headers: { range: 'bytes=2-4' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('234');
    const r = await driver.read('b.bin', { range: { start: 7 } });
    expect((await readAll(r.stream)).toString()).toBe('789');
  });

  it('replaces a file atomically: the old content stays until the new upload completes', async () => {
    await driver.write('c.txt', Readable.from([Buffer.from('old')]), { size: 3 });
    let seenDuring = '';
    async function* body() {
      yield Buffer.from('new ');
      seenDuring = (await readAll((await driver.read('c.txt')).stream)).toString();
      yield Buffer.from('content');
    }
    await driver.write('c.txt', Readable.from(body()), {});
    expect(seenDuring).toBe('old');
    expect((await readAll((await driver.read('c.txt')).stream)).toString()).toBe('new content');
    expect((await collect(driver.list(''))).map((e) => e.name)).toEqual(['c.txt']);
  });

  it('moves to the recycle bin with remove_way trash, deletes for good with delete', async () => {
    await driver.write('d.txt', Readable.from([Buffer.from('x')]), { size: 1 });
    const id = fake.tree.byPath('/d.txt')?.id ?? '';
    await driver.remove('d.txt');
    expect(fake.tree.raw(id)?.trashed).toBe(true);
    const other = aliDriver(fake, t.ctx, fake.issuer.issueRefreshToken(), { remove_way: 'delete' });
    await other.init(AbortSignal.timeout(5_000));
    await other.write('e.txt', Readable.from([Buffer.from('x')]), { size: 1 });
    const id2 = fake.tree.byPath('/e.txt')?.id ?? '';
    await other.remove('e.txt');
    expect(fake.tree.raw(id2)).toBeUndefined();
    await other.close();
  });

  it('serves a root_folder_id below the drive root', async () => {
    await driver.mkdir('sub/inner');
    await driver.write('sub/inner/x.txt', Readable.from([Buffer.from('x')]), { size: 1 });
    const sub = fake.tree.byPath('/sub');
    const scoped = aliDriver(fake, t.ctx, fake.issuer.issueRefreshToken(), { root_folder_id: sub?.id });
    await scoped.init(AbortSignal.timeout(5_000));
    expect((await collect(scoped.list(''))).map((e) => e.name)).toEqual(['inner']);
    expect(await scoped.stat('inner/x.txt')).toMatchObject({ size: 1 });
    await scoped.close();
  });

  it('refreshes through the online helper alone when no client id is set', async () => {
    const online = await OnlineApiFake.start(fake.issuer);
    const viaHelper = aliDriver(fake, t.ctx, fake.issuer.issueRefreshToken(), { client_id: '', client_secret: '', use_online_api: true, oauth_token_url: online.postUrl });
    await viaHelper.init(AbortSignal.timeout(5_000));
    expect(viaHelper.tokenStatus().route).toBe('online');
    await viaHelper.close();
    await online.close();
  });
});
