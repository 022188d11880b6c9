import { describe, expect, it } from 'vitest';
import { NameEscaper } from './escape.js';

describe('file name escaping (OpenList PR #2868)', () => {
  it('writes the first character of each configured string as _xHHHH_ and reads it back', () => {
    const e = new NameEscaper(true, '?\n*\r\n\n:x');
    expect(e.encode('what?.txt')).toBe('what_x003F_.txt');
    expect(e.encode('a*b')).toBe('a_x002A_b');
    expect(e.encode('p:x q:y')).toBe('p_x003A_x q:y');
    for (const name of ['what?.txt', 'a*b', 'p:x q:y', 'plain.txt']) expect(e.decode(e.encode(name))).toBe(name);
  });

  it('keeps a name that already holds an escape sequence apart from an escaped one', () => {
    const e = new NameEscaper(true, '?');
    expect(e.encode('_x003F_')).toBe('_x005F_x003F_');
    expect(e.decode('_x005F_x003F_')).toBe('_x003F_');
    expect(e.decode('_x003F_')).toBe('?');
    expect(e.decode(e.encode('a?_x003F_?'))).toBe('a?_x003F_?');
  });

  it('escapes a character outside the BMP as its two UTF-16 code units', () => {
    const e = new NameEscaper(true, '🎉');
    expect(e.encode('party🎉')).toBe('party_xD83C__xDF89_');
    expect(e.decode('party_xD83C__xDF89_')).toBe('party🎉');
  });

  it('is the identity when off or with nothing to escape, and encodes each segment of a path', () => {
    expect(new NameEscaper(false, '?').encode('a?')).toBe('a?');
    expect(new NameEscaper(true, '\n\n').active).toBe(false);
    expect(new NameEscaper(true, '?').encodePath('d?/f?')).toBe('d_x003F_/f_x003F_');
  });
});
