import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Repositories } from '../db/repositories/index.js';
import { UserRole } from '../db/repositories/users.js';
import { hashPassword, randomPassword } from './passwords.js';
import { ADMIN_PERMISSION } from './permissions.js';

export interface BootstrapInput {
  repos: Repositories;
  dataDir: string;
  logger: Logger;
  /** FILEBRIDGE_ADMIN_PASSWORD, when set. */
  adminPassword?: string;
}

/**
 * First start: an admin with a random password printed once (or the given one) and OpenList's admin
 * bits, a disabled guest with none (as OpenList),
 * and, when no storage exists, a Local mount at `/` over `<data>/files`.
 */
export async function bootstrap(input: BootstrapInput): Promise<void> {
  const { repos, logger } = input;
  if (!(await repos.users.getByUsername('admin')) && (await repos.users.count()) === 0) {
    const password = input.adminPassword || randomPassword();
    await repos.users.create({ username: 'admin', passwordHash: await hashPassword(password), role: UserRole.Admin, permission: ADMIN_PERMISSION, basePath: '/' });
    if (input.adminPassword) logger.info('created user "admin" with the password from FILEBRIDGE_ADMIN_PASSWORD');
    else logger.warn({ username: 'admin', password }, `created user "admin"; initial password: ${password} (shown once)`);
  }
  if (!(await repos.users.getByUsername('guest'))) {
    await repos.users.create({ username: 'guest', passwordHash: '', role: UserRole.Guest, disabled: true, permission: 0, basePath: '/' });
  }
  if ((await repos.storages.list()).length === 0) {
    const root = join(input.dataDir, 'files');
    mkdirSync(root, { recursive: true });
    await repos.storages.create({ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }), remark: 'created on first start' });
    logger.info({ root }, 'no storage yet: mounted a Local storage at / over the data folder');
  }
}
