import { describe, expect, it } from 'vitest';
import { Turns } from './turns.js';

describe('Turns', () => {
  it('resumes waiters in order, one per event-loop turn, never inside the caller', async () => {
    const turns = new Turns();
    const seen: string[] = [];
    const waiters = [1, 2, 3].map((n) => turns.next().then(() => seen.push(`turn ${n}`)));
    seen.push('caller');
    // Other work queued now runs after the first waiter and before the second: each waiter
    // resumes in a loop iteration of its own.
    setImmediate(() => seen.push('other work'));
    await Promise.all(waiters);
    expect(seen).toEqual(['caller', 'turn 1', 'other work', 'turn 2', 'turn 3']);
  });
});
