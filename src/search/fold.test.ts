import { describe, expect, it } from 'vitest';
import { charCount, foldName, searchWords } from './fold.js';

describe('search folding', () => {
  it('matches case and Latin diacritics either way', () => {
    expect(foldName('Café MÜLLER.txt')).toBe('cafe muller.txt');
    expect(foldName('café')).toBe(foldName('CAFE'));
    expect(foldName('Ångström')).toBe('angstrom');
  });

  it('keeps Japanese voicing marks and CJK characters, folds full-width and half-width forms', () => {
    expect(foldName('がっこう')).toBe('がっこう');
    expect(foldName('がっこう')).not.toBe(foldName('かっこう'));
    expect(foldName('東京タワー')).toBe('東京タワー');
    expect(foldName('ＡＢＣ１２３')).toBe('abc123');
    expect(foldName('ｶﾞｯｺｳ')).toBe('ガッコウ');
  });

  it('splits keywords into distinct folded words', () => {
    expect(searchWords('  Foo  bar FOO ')).toEqual(['foo', 'bar']);
    expect(searchWords('   ')).toEqual([]);
    expect(charCount('東京')).toBe(2);
    expect(charCount('😀a')).toBe(2);
  });
});
