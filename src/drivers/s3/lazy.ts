import { deferredCreate, defineDriver } from '../define-driver.js';
import { s3Meta } from './meta.js';

/** The driver as the server lists it: its module (and the AWS SDK) loads when a mount of it first starts. */
export const s3LazyDriver = defineDriver({
  ...s3Meta,
  create: deferredCreate(async () => (await import('./s3.js')).s3Driver.create),
});
