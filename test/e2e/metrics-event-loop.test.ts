import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../helpers/server.js';

const TOKEN = 'metrics-token-for-event-loop-test';

/** Sample values of a Prometheus text exposition by series name (labels included); fails on a malformed line. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`malformed sample line: ${line}`);
    out.set(m[1] ?? '', Number(m[2]));
  }
  return out;
}

describe('/metrics: event loop', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { metrics_token: TOKEN } });
  });
  afterAll(async () => server?.stop());

  const scrape = async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parse(await res.text());
  };

  it('exports event-loop delay (p50, p99, max, in seconds) and utilisation, as numbers that parse', async () => {
    const first = await scrape();
    // Requests between the scrapes: the loop has worked, and the delay histogram has samples.
    for (let i = 0; i < 20; i++) await fetch(`${server.url}/ping`).then((r) => r.text());
    const m = await scrape();
    for (const name of ['filebridge_nodejs_eventloop_lag_p50_seconds', 'filebridge_nodejs_eventloop_lag_p99_seconds', 'filebridge_nodejs_eventloop_lag_max_seconds']) {
      const v = m.get(name);
      expect(v, name).toBeTypeOf('number');
      expect(Number.isFinite(v), name).toBe(true);
      expect(v, name).toBeGreaterThanOrEqual(0);
    }
    expect(m.get('filebridge_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(m.get('filebridge_nodejs_eventloop_lag_p50_seconds') ?? Number.NaN);
    expect(m.get('filebridge_nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(m.get('filebridge_nodejs_eventloop_lag_p99_seconds') ?? Number.NaN);
    const elu = m.get('filebridge_event_loop_utilization') ?? Number.NaN;
    expect(elu).toBeGreaterThan(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(m.get('filebridge_event_loop_busy_seconds_total')).toBeGreaterThan(first.get('filebridge_event_loop_busy_seconds_total') ?? Number.NaN);
  });
});
