import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFsError } from './errors.js';
import { baseName, decodePathComponent, isWithin, joinPath, normalizePath, parentPath, relativeTo } from './paths.js';

function rejects(input: string): void {
  let caught: unknown;
  try {
    normalizePath(input);
  } catch (err) {
    caught = err;
  }
  expect(isFsError(caught, 'invalid_path'), `expected ${JSON.stringify(input)} to be refused`).toBe(true);
}

describe('normalizePath', () => {
  it('canonicalises separators, dots and trailing slashes', () => {
    expect(normalizePath('')).toBe('/');
    expect(normalizePath('/')).toBe('/');
    expect(normalizePath('a/b')).toBe('/a/b');
    expect(normalizePath('//a///b/')).toBe('/a/b');
    expect(normalizePath('/a/./b/.')).toBe('/a/b');
  });

  it('keeps hostile but legal names intact', () => {
    for (const name of ["it's", 'a "q"', '?#%&+', '.hidden', '日本語 ファイル', '💾 disk', '[x]{y}(z)']) {
      expect(normalizePath(`/d/${name}`)).toBe(`/d/${name}`);
    }
  });

  it('answers canonical paths on its short path exactly as on the full one', () => {
    // A trailing slash is never canonical, so `p + '/'` always takes the full path.
    const outcome = (p: string) => {
      try {
        return normalizePath(p);
      } catch (err) {
        return isFsError(err, 'invalid_path') ? 'refused' : String(err);
      }
    };
    const segment = fc.oneof(fc.constantFrom('.', '..', '...', '.a', 'a.', ' ', 'x'.repeat(255), 'y'.repeat(256)), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segs) => {
        const p = '/' + segs.join('/');
        expect(outcome(p)).toBe(outcome(p + '/'));
      }),
      { numRuns: 3000 },
    );
  });

  it('folds unicode to NFC so look-alike spellings name one file', () => {
    expect(normalizePath('/cafe\u0301')).toBe('/caf\u00e9');
  });

  it('refuses traversal, NUL, control characters and backslashes', () => {
    for (const bad of ['..', '/..', '/a/../b', 'a/..', '/a/\u0000b', '/a\nb', '/a\\..\\b', '\\\\server\\share', '/a/\u0007']) rejects(bad);
  });

  it('refuses names that fold to dots or separators', () => {
    rejects('/\uff0e\uff0e'); // fullwidth full stops
    rejects('/a/\u2024\u2024'); // one-dot leaders
    rejects('/x\uff0fy'); // fullwidth solidus
  });

  it('refuses over-long names and paths', () => {
    rejects('/' + 'a'.repeat(256));
    expect(normalizePath('/' + 'a'.repeat(255))).toHaveLength(256);
    rejects('/' + Array.from({ length: 20 }, () => 'b'.repeat(250)).join('/'));
  });
});

describe('path helpers', () => {
  it('joins, splits and relates paths', () => {
    expect(joinPath('/a', 'b', 'c')).toBe('/a/b/c');
    expect(parentPath('/a/b')).toBe('/a');
    expect(parentPath('/a')).toBe('/');
    expect(parentPath('/')).toBe('/');
    expect(baseName('/a/b.txt')).toBe('b.txt');
    expect(isWithin('/ab', '/a')).toBe(false);
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/anything', '/')).toBe(true);
    expect(relativeTo('/m/x/y', '/m')).toBe('x/y');
    expect(relativeTo('/m', '/m')).toBe('');
    expect(relativeTo('/x', '/')).toBe('x');
  });

  it('decodes percent-escapes once and refuses malformed ones', () => {
    expect(decodePathComponent('%252e')).toBe('%2e');
    expect(() => decodePathComponent('%E0%A4%A')).toThrow(/malformed/);
  });
});
