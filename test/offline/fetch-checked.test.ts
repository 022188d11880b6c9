import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchChecked } from '../../src/offline/http-fetch.js';
import { UrlRefused } from '../../src/offline/url-check.js';
import { SourceServer } from './source-server.js';

/**
 * SimpleHttp's connection rule, against a loopback source with a policy that allows 127.0.0.1
 * only (standing in for "public"): the connection goes to the address that was checked, and every
 * redirect hop is resolved and checked again before anything connects.
 */
describe('SimpleHttp connects only to checked addresses', () => {
  let source: SourceServer;
  const onlyLoopbackV4 = (address: string) => address === '127.0.0.1';
  const names: Record<string, string[]> = { 'pinned.test': ['127.0.0.1'], 'mixed.test': ['127.0.0.1', '10.0.0.1'] };
  const resolve = async (host: string) => (names[host] ?? []).map((address) => ({ address, family: 4 }));
  let port = '';

  beforeAll(async () => {
    source = await new SourceServer().start();
    source.add('f.bin', 1000);
    port = new URL(source.url).port;
  });

  afterAll(async () => {
    await source.close();
  });

  const get = (url: string) => fetchChecked(new URL(url), { headers: {}, allowPrivate: onlyLoopbackV4, signal: AbortSignal.timeout(10_000), resolve });

  it('connects to the checked address of a name the system resolver does not know', async () => {
    const { res } = await get(`http://pinned.test:${port}/plain/f.bin`);
    expect(res.statusCode).toBe(200);
    res.destroy();
  });

  it('refuses a redirect to an address the rule refuses, before connecting to it', async () => {
    source.redirect('to-v6', `http://[::1]:${port}/plain/f.bin`);
    await expect(get(`http://pinned.test:${port}/redirect/to-v6`)).rejects.toThrow(UrlRefused);
    source.redirect('to-mapped', `http://[::ffff:127.0.0.1]:${port}/plain/f.bin`);
    await expect(get(`http://pinned.test:${port}/redirect/to-mapped`)).rejects.toThrow(/::ffff:7f00:1, a loopback address/);
    source.redirect('to-mixed', `http://mixed.test:${port}/plain/f.bin`);
    await expect(get(`http://pinned.test:${port}/redirect/to-mixed`)).rejects.toThrow(/mixed\.test resolves to 10\.0\.0\.1/);
    expect(source.requests.filter((r) => r.path === '/plain/f.bin')).toHaveLength(1);
  });

  it('follows a redirect to an allowed address', async () => {
    source.redirect('ok', `http://127.0.0.1:${port}/plain/f.bin`);
    const { res, url } = await get(`http://pinned.test:${port}/redirect/ok`);
    expect(res.statusCode).toBe(200);
    expect(url.href).toBe(`http://127.0.0.1:${port}/plain/f.bin`);
    res.destroy();
  });
});
