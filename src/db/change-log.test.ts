import { describe, expect, it } from 'vitest';
import { readRows } from './change-log.js';
import { RESYNC } from './change-notifier.js';

const rows = (...items: [number, string][]) => items.map(([id, topic]) => ({ id, topic }));

describe('readRows', () => {
  it('emits each new topic once, in order of first appearance', () => {
    expect(readRows(rows([4, 'settings'], [5, 'storages'], [6, 'settings']), 3)).toEqual({ topics: ['settings', 'storages'], lost: false, last: 6 });
  });

  it('has nothing to say when only the newest row, already seen, comes back', () => {
    expect(readRows(rows([9, 'metas']), 9)).toEqual({ topics: [], lost: false, last: 9 });
    expect(readRows([], 0)).toEqual({ topics: [], lost: false, last: 0 });
  });

  it('reloads everything when rows were pruned before being read', () => {
    expect(readRows(rows([12, 'metas'], [13, 'users']), 9)).toEqual({ topics: [RESYNC], lost: true, last: 13 });
  });

  it('reloads everything when the log was emptied or made anew', () => {
    expect(readRows([], 20)).toEqual({ topics: [RESYNC], lost: true, last: 0 });
    expect(readRows(rows([3, 'metas']), 20)).toEqual({ topics: [RESYNC], lost: true, last: 3 });
  });
});
