import { deferredCreate, defineDriver } from '../define-driver.js';
import { sftpMeta } from './meta.js';

/** The driver as the server lists it: its module (and the ssh2-sftp-client) loads when a mount of it first starts. */
export const sftpLazyDriver = defineDriver({
  ...sftpMeta,
  create: deferredCreate(async () => (await import('./sftp.js')).sftpDriver.create),
});
