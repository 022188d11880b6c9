import { describe, expect, it } from 'vitest';
import { FsError } from '../../core/errors.js';
import { buildTree, nodeAt, parseFileLine, sizeOf } from './text.js';

describe('UrlTree text', () => {
  it('reads folders by indentation and files as [name:][size:][modified:]url, as OpenList does', () => {
    const root = buildTree(['folder1:', '  name1:https://h/u1', '  http://h/a/url2', '  folder2:', '    f.bin:10:1700000000:http://h/3', '  http://h/url5', 'http://h/url8', ''].join('\n'));
    expect(root.children.map((c) => c.name)).toEqual(['folder1', 'url8']);
    expect(nodeAt(root, 'folder1')?.children.map((c) => c.name)).toEqual(['name1', 'url2', 'folder2', 'url5']);
    expect(nodeAt(root, 'folder1/folder2/f.bin')).toMatchObject({ url: 'http://h/3', size: 10, modified: 1700000000 });
    expect(nodeAt(root, 'folder1/name1')).toMatchObject({ url: 'https://h/u1' });
    expect(nodeAt(root, 'folder1/name1')?.size).toBeUndefined();
    expect(sizeOf(nodeAt(root, 'folder1') as never)).toBe(10);
    expect(nodeAt(root, 'folder1/name1/deeper')).toBeUndefined();
    expect(nodeAt(root, 'nothing')).toBeUndefined();
  });

  it('refuses what OpenList refuses: odd indentation, no URL, info without a colon, a bad size', () => {
    expect(() => buildTree('a:\n   http://h/x')).toThrow(FsError);
    expect(() => parseFileLine('just a name')).toThrow(/url is required/);
    expect(() => parseFileLine('namehttp://h/x')).toThrow(/must end with ':'/);
    expect(() => parseFileLine(':http://h/x')).toThrow(/can't be empty/);
    expect(() => parseFileLine('n:big:http://h/x')).toThrow(/size must be an integer/);
    expect(() => parseFileLine('n:1:soon:http://h/x')).toThrow(/unix timestamp/);
  });
});
