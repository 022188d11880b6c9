import { deferredCreate, defineDriver } from '../define-driver.js';
import { urlTreeMeta } from './meta.js';

/** The driver as the server lists it: its module (and undici) loads when a mount of it first starts. */
export const urlTreeLazyDriver = defineDriver({
  ...urlTreeMeta,
  create: deferredCreate(async () => (await import('./url-tree.js')).urlTreeDriver.create),
});
