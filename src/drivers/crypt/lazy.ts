import { deferredCreate, defineDriver } from '../define-driver.js';
import { cryptMeta } from './meta.js';

/** The driver as the server lists it: its module (and the cipher library) loads when a mount of it first starts. */
export const cryptLazyDriver = defineDriver({
  ...cryptMeta,
  create: deferredCreate(async () => (await import('./crypt.js')).cryptDriver.create),
});
