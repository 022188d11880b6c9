import { deferredCreate, defineDriver } from '../define-driver.js';
import { strmMeta } from './meta.js';

/** The driver as the server lists it: its module loads when a mount of it first starts. */
export const strmLazyDriver = defineDriver({
  ...strmMeta,
  create: deferredCreate(async () => (await import('./strm.js')).strmDriver.create),
});
