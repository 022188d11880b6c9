import { describe, expect, it } from 'vitest';
import { splitUrl } from './http.js';

describe('splitUrl', () => {
  it('gives the origin and the path with its query, the path as a full URL parse reads it', () => {
    const cases: [string, string][] = [
      ['http://127.0.0.1:8080/dav/a%20b/c.bin', 'http://127.0.0.1:8080'],
      ['https://graph.microsoft.com/v1.0/me/drive/root:/x:/children?$top=200&x=1', 'https://graph.microsoft.com'],
      ['http://host:1/', 'http://host:1'],
      ['http://host:1', 'http://host:1'],
      ['http://host?x=1', 'http://host'],
      ['https://host.example/p?q=/slash', 'https://host.example'],
      ['http://[::1]:9000/bucket/key', 'http://[::1]:9000'],
    ];
    for (const [url, origin] of cases) {
      const u = new URL(url);
      expect(splitUrl(url), url).toEqual({ origin, path: `${u.pathname}${u.search}` });
    }
  });

  it('refuses a URL that is not absolute', () => {
    expect(() => splitUrl('/dav/x')).toThrow(/not an absolute URL/);
  });
});
