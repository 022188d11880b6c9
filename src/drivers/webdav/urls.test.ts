import { describe, expect, it } from 'vitest';
import { DavUrls } from './urls.js';

describe('DavUrls.url', () => {
  const urls = new DavUrls('http://h:1/remote.php/dav%20x/files/', 'me/sub dir');
  const root = 'http://h:1/remote.php/dav%20x/files/me/sub%20dir';

  it('percent-encodes each name below the encoded root, and only where encodeURIComponent would', () => {
    expect(urls.url('')).toBe(`${root}/`);
    expect(urls.url('a/b.bin')).toBe(`${root}/a/b.bin`);
    expect(urls.url("x!~*'().-_")).toBe(`${root}/x!~*'().-_`);
    expect(urls.url('ä/a b')).toBe(`${root}/%C3%A4/a%20b`);
    expect(urls.url('a#b/c?d/e%f/g+h;i')).toBe(`${root}/a%23b/c%3Fd/e%25f/g%2Bh%3Bi`);
  });

  it('gives folders a trailing slash', () => {
    expect(urls.url('a/b', { dir: true })).toBe(`${root}/a/b/`);
    expect(urls.url('a b', { dir: true })).toBe(`${root}/a%20b/`);
  });
});
