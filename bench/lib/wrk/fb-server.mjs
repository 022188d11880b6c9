/**
 * Starts a built Filebridge on a fixed loopback port with one Local storage at "/" (admin /
 * bench-pass), as bench/lib/filebridge-child.mjs does, but from any build folder, so two builds
 * (before / after a change) can run side by side.
 *   node bench/lib/wrk/fb-server.mjs <dist dir> <data dir> <root folder> <port>
 * FBB_GC=<ms>: also print, every <ms>, the GC time spent in that window, RSS, heap and open fds.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';

const [dist, dataDir, rootDir, port] = process.argv.slice(2);
if (!dist || !dataDir || !rootDir || !port) throw new Error('usage: fb-server.mjs <dist dir> <data dir> <root folder> <port>');
const at = (p) => pathToFileURL(resolve(dist, p)).href;
const { loadConfig } = await import(at('config/load.js'));
const { openDatabase, startFilebridge } = await import(at('main.js'));
const config = loadConfig({ env: {}, flags: { data: dataDir, host: '127.0.0.1', port: Number(port), log_level: 'warn' } });
const { database, repos } = await openDatabase(config);
if ((await repos.storages.list()).length === 0) {
  await repos.storages.create({ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: rootDir }) });
}
await database.close();
const running = await startFilebridge({ config, logger: pino({ level: 'warn' }), env: { FILEBRIDGE_ADMIN_PASSWORD: 'bench-pass' } });
process.stdout.write(`READY ${running.url} ${process.pid}\n`);
const stop = () => void running.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (process.env.FBB_GC) {
  let gcMs = 0;
  let gcN = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) [gcMs, gcN] = [gcMs + e.duration, gcN + 1];
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n) => (n / 1048576).toFixed(0);
    process.stderr.write(`GC ms=${gcMs.toFixed(0)} n=${gcN} rss=${mb(m.rss)} heap=${mb(m.heapUsed)} fds=${readdirSync('/proc/self/fd').length}\n`);
    [gcMs, gcN] = [0, 0];
  }, Number(process.env.FBB_GC)).unref();
}
