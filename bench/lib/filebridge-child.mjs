/**
 * Child-process entry for benches: starts Filebridge as `npm start` runs it (the built dist/, so
 * `npm run bench` builds first) on a free loopback port with one Local storage at "/" (or the
 * storages given as JSON in a third argument) and prints `READY <url> <pid>`.
 * Arguments: <data dir> <root folder> [storages JSON].
 */
import { pino } from 'pino';
import { loadConfig } from '../../dist/config/load.js';
import { openDatabase, startFilebridge } from '../../dist/main.js';

async function main() {
  const [dataDir, rootDir, storagesJson] = process.argv.slice(2);
  if (!dataDir || !rootDir) throw new Error('usage: filebridge-child <data dir> <root folder>');
  const config = loadConfig({ env: {}, flags: { data: dataDir, host: '127.0.0.1', port: 0, log_level: 'warn' } });
  const { database, repos } = await openDatabase(config);
  if ((await repos.storages.list()).length === 0) {
    const storages = storagesJson ? JSON.parse(storagesJson) : [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: rootDir }) }];
    for (const s of storages) await repos.storages.create(s);
  }
  await database.close();
  const running = await startFilebridge({ config, logger: pino({ level: 'warn' }), env: { FILEBRIDGE_ADMIN_PASSWORD: 'bench-pass' } });
  process.stdout.write(`READY ${running.url} ${process.pid}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
