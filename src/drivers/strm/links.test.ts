import { describe, expect, it } from 'vitest';
import { extOf, pathEscape, strmText } from './links.js';
import { Sources } from './sources.js';

const base = { siteUrl: '', PathPrefix: '/d', encodePath: true, withoutUrl: false };

describe('Strm links', () => {
  it('escapes segments as Go url.PathEscape does', () => {
    expect(pathEscape("a b?#%&+:=@$!'()*,;é")).toBe("a%20b%3F%23%25&+:=@$%21%27%28%29%2A%2C%3B%C3%A9");
  });

  it('builds site + prefix + escaped path + sign, or the path alone with withoutUrl', () => {
    expect(strmText('/m/a b.mkv', 'SIG:0', base, 'http://site/')).toBe('http://site/d/m/a%20b.mkv?sign=SIG:0');
    expect(strmText('/m/a b.mkv', undefined, { ...base, siteUrl: 'https://own/', PathPrefix: 'p/' }, 'http://site')).toBe('https://own/p/m/a%20b.mkv');
    expect(strmText('/m/a b.mkv', undefined, { ...base, encodePath: false, withoutUrl: true }, 'http://site')).toBe('/d/m/a b.mkv');
  });

  it('takes extensions after the last dot, lower-cased', () => {
    expect([extOf('A.MKV'), extOf('noext'), extOf('.hidden'), extOf('a.b.srt')]).toEqual(['mkv', '', 'hidden', 'srt']);
  });

  it('reads paths as OpenList does: one line flattens, name:path names a folder', () => {
    const one = new Sources('/local/movies\n\n');
    expect(one.flat).toBe('movies');
    expect(one.place('x/y')).toEqual({ key: 'movies', sub: 'x/y' });
    const two = new Sources('films:/local/movies\n/dav/music/\nfilms:/other/films');
    expect([...two.byKey]).toEqual([
      ['films', ['/local/movies', '/other/films']],
      ['music', ['/dav/music']],
    ]);
    expect(two.place('')).toBeUndefined();
    expect(two.place('films/a/b.mkv')).toEqual({ key: 'films', sub: 'a/b.mkv' });
    expect(() => new Sources('  ')).toThrow(/paths is required/);
    expect(() => new Sources('/a/../b')).toThrow(/\.\./);
  });
});
