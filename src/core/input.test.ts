import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boolish, numberish } from './input.js';

describe('numberish', () => {
  const int = numberish(z.number().int().min(0));
  it('takes numbers and numeric strings', () => {
    expect(int.parse(7)).toBe(7);
    expect(int.parse('42')).toBe(42);
  });
  it('refuses objects without converting them, and what the inner schema refuses', () => {
    for (const v of [{ toString: 'x' }, { valueOf: 1 }, [3], null, true, 'abc', -1, 1.5]) {
      expect(int.safeParse(v).success, JSON.stringify(v)).toBe(false);
    }
  });
});

describe('boolish', () => {
  it('takes booleans and "true"/"false" only', () => {
    expect(boolish.parse('true')).toBe(true);
    expect(boolish.parse(false)).toBe(false);
    expect(boolish.safeParse('yes').success).toBe(false);
    expect(boolish.safeParse({ toString: 'true' }).success).toBe(false);
  });
});
