import { describe, expect, it } from 'vitest';
import { capabilities, type Driver, type DriverContext } from '../core/storage/index.js';
import { deferredCreate } from './define-driver.js';

const ctx = {} as DriverContext;

function real(log: string[], failInit = false): Driver {
  return {
    init: async () => {
      log.push('init');
      if (failInit) throw new Error('refused');
    },
    close: async () => {
      log.push('close');
    },
    stat: async (p) => ({ name: p, isDir: false, size: 7 }),
    list: async function* () {
      yield { name: 'a', isDir: false, size: 1 };
    },
    read: async () => {
      throw new Error('unused');
    },
    mkdir: async () => {
      log.push('mkdir');
    },
  };
}

/** A driver whose module loads when its mount first starts. */
describe('deferredCreate', () => {
  it('loads nothing until init, then has exactly the real driver’s methods', async () => {
    const log: string[] = [];
    const create = deferredCreate<{ x: number }>(async () => {
      log.push('load');
      return () => real(log);
    });
    const d = create({ x: 1 }, ctx);
    expect(log).toEqual([]);
    expect(capabilities(d)).toEqual(['init']);
    await expect(d.stat('p')).rejects.toMatchObject({ code: 'storage_unavailable' });
    await d.init?.(new AbortController().signal);
    expect(log).toEqual(['load', 'init']);
    expect(capabilities(d).sort()).toEqual(['close', 'init', 'mkdir']);
    expect(await d.stat('p')).toMatchObject({ name: 'p', size: 7 });
    await d.mkdir?.('x');
    const names: string[] = [];
    for await (const e of d.list('')) names.push(e.name);
    expect(names).toEqual(['a']);
    expect(log).toContain('mkdir');
  });

  it('closes the real driver when its init failed', async () => {
    const log: string[] = [];
    const d = deferredCreate<object>(async () => () => real(log, true))({}, ctx);
    await expect(d.init?.(new AbortController().signal)).rejects.toThrow('refused');
    await d.close?.();
    expect(log).toEqual(['init', 'close']);
  });
});
