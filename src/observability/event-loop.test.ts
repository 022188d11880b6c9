import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { eventLoopMetrics } from './event-loop.js';

/** `name value` lines of a Prometheus text exposition, by series name. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    expect(m, `a well-formed sample line: ${line}`).not.toBeNull();
    out.set(m?.[1] ?? '', Number(m?.[2]));
  }
  return out;
}

describe('event-loop metrics', () => {
  it('exports utilisation (0 to 1) and busy seconds (a counter that never goes back) per registry', async () => {
    const registry = new Registry();
    eventLoopMetrics(registry, 'x_');
    const text = await registry.metrics();
    expect(text).toContain('# TYPE x_event_loop_utilization gauge');
    expect(text).toContain('# TYPE x_event_loop_busy_seconds_total counter');
    const first = samples(text);
    const elu = first.get('x_event_loop_utilization') ?? Number.NaN;
    expect(elu).toBeGreaterThanOrEqual(0);
    expect(elu).toBeLessThanOrEqual(1);
    // Some work between the scrapes: the counter moves on, never back.
    let n = 0;
    for (let i = 0; i < 1e6; i++) n += i;
    expect(n).toBeGreaterThan(0);
    const second = samples(await registry.metrics());
    expect(second.get('x_event_loop_busy_seconds_total')).toBeGreaterThan(first.get('x_event_loop_busy_seconds_total') ?? Number.NaN);
    const again = second.get('x_event_loop_utilization') ?? Number.NaN;
    expect(again).toBeGreaterThanOrEqual(0);
    expect(again).toBeLessThanOrEqual(1);
    // A second registry has its own window and series.
    const other = new Registry();
    eventLoopMetrics(other, 'x_');
    expect(samples(await other.metrics()).has('x_event_loop_utilization')).toBe(true);
  });
});
