import { deferredCreate, defineDriver } from '../define-driver.js';
import { aliasMeta } from './meta.js';

/** The driver as the server lists it: its module loads when a mount of it first starts. */
export const aliasLazyDriver = defineDriver({
  ...aliasMeta,
  create: deferredCreate(async () => (await import('./alias.js')).aliasDriver.create),
});
