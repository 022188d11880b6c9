/**
 * Child process of task-crash.test.ts: a whole Filebridge server over the data folder in
 * CRASH_DATA (storages made by the parent; CRASH_DB for a shared PostgreSQL database), printing `listening <url>` once it answers; the
 * parent kills it with SIGKILL mid-task and starts it again over the same folder.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { startFilebridge } from '../../src/main.js';
import { testConfig, testDrivers } from '../helpers/server.js';

const running = await startFilebridge({
  config: testConfig(process.env.CRASH_DATA ?? '', {
    task_poll_ms: 50,
    task_workers: 2,
    task_workers_per_storage: 2,
    task_lease_ms: Number(process.env.CRASH_LEASE_MS ?? 5000),
    // Optional: a shared PostgreSQL database and the cluster's common secrets.
    ...(process.env.CRASH_DB ? { db: process.env.CRASH_DB, jwt_secret: process.env.CRASH_JWT ?? '', secret_key: process.env.CRASH_SECRET ?? '', storage_poll_ms: 0 } : {}),
  }),
  // Warnings and errors go to <data>/child.log, which the parent prints when a wait times out.
  logger: process.env.CRASH_DATA ? pino({ level: 'warn' }, pino.destination({ dest: join(process.env.CRASH_DATA, 'child.log'), append: true, sync: true })) : pino({ level: 'silent' }),
  drivers: testDrivers(),
  env: { FILEBRIDGE_ADMIN_PASSWORD: 'admin-test-pass' },
});
process.stdout.write(`listening ${running.url}\n`);
