import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Event-loop utilisation on /metrics, beside the delay figures prom-client's default metrics
 * already take from perf_hooks.monitorEventLoopDelay (`<prefix>nodejs_eventloop_lag_p50_seconds`,
 * `_p90_`, `_p99_`, `_max_`, `_min_`, `_mean_`, `_stddev_`: over the time since the previous scrape).
 *
 * - `<prefix>event_loop_utilization`: the share of the time since the previous scrape (since start
 *   for the first) the loop spent running code rather than waiting, 0 to 1, the same window as the
 *   delay figures;
 * - `<prefix>event_loop_busy_seconds_total`: that running time since the process started, a
 *   counter, so `rate(...[1m])` is the utilisation over any window whoever scrapes, and however many
 *   scrape.
 *
 * State lives in the returned metrics (one set per registry), never in the module.
 */
export function eventLoopMetrics(registry: Registry, prefix: string): void {
  let last: EventLoopUtilization | undefined;
  new Gauge({
    name: `${prefix}event_loop_utilization`,
    help: 'Share of the time since the previous scrape the event loop was busy (0 to 1)',
    registers: [registry],
    collect() {
      const now = performance.eventLoopUtilization();
      this.set((last ? performance.eventLoopUtilization(now, last) : now).utilization);
      last = now;
    },
  });
  new Counter({
    name: `${prefix}event_loop_busy_seconds_total`,
    help: 'Time the event loop spent busy (running code, not waiting for events) since the process started',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(performance.eventLoopUtilization().active / 1000);
    },
  });
}
