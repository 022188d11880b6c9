import { deferredCreate, defineDriver } from '../define-driver.js';
import { ftpMeta } from './meta.js';

/** The driver as the server lists it: its module (and the basic-ftp) loads when a mount of it first starts. */
export const ftpLazyDriver = defineDriver({
  ...ftpMeta,
  create: deferredCreate(async () => (await import('./ftp.js')).ftpDriver.create),
});
