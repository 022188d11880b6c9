import { deferredCreate, defineDriver } from '../define-driver.js';
import { webdavMeta } from './meta.js';

/** The driver as the server lists it: its module (and what it brings) loads when a mount of it first starts. */
export const webdavLazyDriver = defineDriver({
  ...webdavMeta,
  create: deferredCreate(async () => (await import('./webdav.js')).webdavDriver.create),
});
