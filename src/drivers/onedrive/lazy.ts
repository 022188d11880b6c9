import { deferredCreate, defineDriver } from '../define-driver.js';
import { onedriveMeta } from './meta.js';

/** The driver as the server lists it: its module (and what it brings) loads when a mount of it first starts. */
export const onedriveLazyDriver = defineDriver({
  ...onedriveMeta,
  create: deferredCreate(async () => (await import('./onedrive.js')).onedriveDriver.create),
});
