import { describe, expect, it } from 'vitest';
import { isFsError } from '../../core/errors.js';
import { choose, shuffled } from './policy.js';
import type { PutPolicy } from './options.js';

const T = true;
const F = false;
const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return isFsError(err) ? err.code : 'other';
  }
};

describe('write and put conflict policies (OpenList getWriteAndPutFilterFunc)', () => {
  const cases: [PutPolicy, boolean[], number[] | string][] = [
    ['disabled', [T, T], 'permission_denied'],
    ['first', [F, T, T], [1]],
    ['deterministic', [F, T, F], [1]],
    ['deterministic', [T, T, F], 'conflict'],
    ['deterministic_or_all', [F, F, T], [2]],
    ['deterministic_or_all', [T, T, T], [0, 1, 2]],
    ['deterministic_or_all', [T, F, T], 'conflict'],
    ['all', [T, F, T], [0, 2]],
    ['all_strict', [T, T], [0, 1]],
    ['all_strict', [T, F], 'conflict'],
    ['first', [F, F], 'not_found'],
    ['quota', [T], 'not_supported'],
  ];
  it.for(cases)('%s over %j gives %j', ([policy, present, want]) => {
    if (typeof want === 'string') expect(code(() => choose(policy, present, 'x'))).toBe(want);
    else expect(choose(policy, present, 'x')).toEqual(want);
  });

  it('random picks one of the folders that have it', () => {
    expect(choose('random', [F, T, T], 'x', () => 0)).toEqual([1]);
    expect(choose('random', [F, T, T], 'x', () => 0.99)).toEqual([2]);
  });

  it('shuffles without losing or adding items', () => {
    expect(shuffled([1, 2, 3, 4], () => 0).sort()).toEqual([1, 2, 3, 4]);
    expect(shuffled([1, 2, 3], () => 0)).toEqual([2, 3, 1]);
  });
});
