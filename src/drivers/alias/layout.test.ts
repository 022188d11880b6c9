import { describe, expect, it } from 'vitest';
import { NameEscaper } from './escape.js';
import { Layout, treePath } from './layout.js';

const plain = new NameEscaper(false, '');

describe('the paths option', () => {
  it('one folder: the alias root is that folder', () => {
    const l = new Layout('  /local/docs/  \n\n');
    expect(l.multi).toBe(false);
    expect(l.place('a/b')).toMatchObject({ kind: 'inside', key: { name: 'docs', roots: ['/local/docs'] }, sub: 'a/b' });
    expect(l.realPaths('a/b', plain)).toEqual(['/local/docs/a/b']);
    expect(l.realPaths('', plain)).toEqual(['/local/docs']);
  });

  it('lines of one name merge in order; one name makes the root their merged content', () => {
    const l = new Layout('/a/data\n/b/data\nmedia:/c');
    expect(l.keys).toEqual([
      { name: 'data', roots: ['/a/data', '/b/data'] },
      { name: 'media', roots: ['/c'] },
    ]);
    const one = new Layout('x:/a\nx:/b/');
    expect(one.multi).toBe(false);
    expect(one.realPaths('f', plain)).toEqual(['/a/f', '/b/f']);
  });

  it('several names: the root lists them, a path names one of them first', () => {
    const l = new Layout('docs:/a/d\nmusic:/m');
    expect(l.place('')).toEqual({ kind: 'top' });
    expect(l.place('music/x/y')).toMatchObject({ key: { name: 'music' }, sub: 'x/y' });
    expect(l.realPaths('', plain)).toEqual([]);
    expect(l.realPaths('nope/x', plain)).toEqual([]);
    expect(() => l.place('nope')).toThrow(/no folder "nope"/);
  });

  it('a ":" after a "/" belongs to the path, as OpenList reads it', () => {
    expect(new Layout('/a/b:c').keys).toEqual([{ name: 'b:c', roots: ['/a/b:c'] }]);
  });

  it('names both spellings of an escaped path for the gate', () => {
    expect(new Layout('/a').realPaths('q?', new NameEscaper(true, '?'))).toEqual(['/a/q_x003F_', '/a/q?']);
  });

  it('refuses no paths, "..", and a name the root cannot show', () => {
    expect(() => new Layout(' \n ')).toThrow(/paths is required/);
    expect(() => treePath('/a/../b')).toThrow(/must not contain/);
    expect(() => new Layout('/\n/b')).toThrow(/cannot be a name/);
  });
});
